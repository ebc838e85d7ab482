namespace SocketGateway.LineProtocol;

/// <summary>What one read's bytes meant for the connection.</summary>
public enum LineStep
{
    /// <summary>Read on.</summary>
    Continue,

    /// <summary>The input ended, or the connection was closed for a reason it was told.</summary>
    Ended,

    /// <summary>The client sent /quit.</summary>
    Quit,
}
