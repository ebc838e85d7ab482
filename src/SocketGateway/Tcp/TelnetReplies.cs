using SocketGateway.Core.Events;
using SocketGateway.Core.Sessions;

namespace SocketGateway.Tcp;

/// <summary>
/// A connection feature: the refusals the telnet filter owes the client. The filter runs before the chat session
/// exists, so replies wait here until the handler attaches the session; then they go through its queue, so they
/// never cut into a line the session's writer is writing.
/// </summary>
public sealed class TelnetReplies
{
    private readonly Lock _gate = new();
    private readonly List<byte[]> _waiting = [];
    private ChatSession? _session;

    public void Add(byte[] bytes)
    {
        lock (_gate)
        {
            if (_session is null)
            {
                _waiting.Add(bytes);
            }
            else
            {
                _session.Send(new RawBytesEvent(bytes));
            }
        }
    }

    public void Attach(ChatSession session)
    {
        lock (_gate)
        {
            _session = session;
            foreach (var bytes in _waiting)
            {
                session.Send(new RawBytesEvent(bytes));
            }

            _waiting.Clear();
        }
    }
}
