namespace SocketGateway.Connections;

/// <summary>What the connection pipeline needs of a transport: a way to cut a member off that stopped reading.</summary>
public interface IChatTransport
{
    /// <summary>Closes the connection at once (its reader and writer then end on their own). Called on the thread pool.</summary>
    void CutOff();
}
