namespace SocketGateway.Core.Protocol;

/// <summary>How the line protocol writes events to a client (<c>/format</c>).</summary>
public enum OutputFormat
{
    Text,
    Json,
}
