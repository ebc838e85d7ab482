namespace SocketGateway.LineProtocol;

/// <summary>The transport behind a line input started with <see cref="LineConnection.Start"/>.</summary>
public interface ILineInputOwner
{
    /// <summary>Called once: the input ended, the client quit (<paramref name="quit"/>), or reading failed (<paramref name="error"/>).</summary>
    void InputEnded(bool quit, Exception? error);
}
