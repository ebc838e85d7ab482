using System.Buffers;
using System.Text;
using SocketGateway.Core.Events;

namespace SocketGateway.Core.Protocol;

/// <summary>Renders events in the line protocol's text format: one '\n'-terminated line an event (history: several).</summary>
public static class TextEventWriter
{
    public const string Welcome = "* welcome to SocketGateway \u2014 you are {0}; type /help";

    // Kept per thread: every new connection encodes its welcome and lobby lines, and a builder, its chunk and an
    // intermediate string per line were most of what a connection allocated besides its own state.
    private const int KeptBuilderCapacity = 4096;

    [ThreadStatic]
    private static StringBuilder? t_builder;

    /// <summary>The event's UTF-8 bytes; the only allocation is the returned array.</summary>
    public static byte[] Encode(ChatEvent evt)
    {
        var sb = t_builder ?? new StringBuilder(256);
        t_builder = null; // taken: a nested call (there is none today) would get a builder of its own
        sb.Clear();
        Append(sb, evt);
        var chars = ArrayPool<char>.Shared.Rent(sb.Length);
        try
        {
            sb.CopyTo(0, chars, sb.Length);
            return Encoding.UTF8.GetBytes(chars, 0, sb.Length);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
            if (sb.Capacity <= KeptBuilderCapacity)
            {
                t_builder = sb;
            }
        }
    }

    public static string Format(ChatEvent evt)
    {
        var sb = new StringBuilder(96);
        Append(sb, evt);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, ChatEvent evt)
    {
        switch (evt)
        {
            case MessageEvent m:
                AppendMessage(sb, m);
                break;
            case JoinedEvent j:
                sb.Append('[').Append(j.Room).Append("] -> ").Append(j.Nick).Append(" joined (").Append(j.Via).Append(")\n");
                break;
            case LeftEvent { Self: true } l:
                sb.Append("* you were removed from ").Append(l.Room).Append('\n');
                break;
            case LeftEvent l:
                AppendLeft(sb, l);
                break;
            case PrivateEvent { Echo: true } p:
                sb.Append("[pm] -> ").Append(p.To).Append(": ").Append(TextSanitizer.Sanitize(p.Text)).Append('\n');
                break;
            case PrivateEvent p:
                sb.Append("[pm] ").Append(p.From).Append(": ").Append(TextSanitizer.Sanitize(p.Text)).Append('\n');
                break;
            case NickEvent n:
                sb.Append('[').Append(n.Room).Append("] * ").Append(n.Old).Append(" is now known as ").Append(n.New).Append('\n');
                break;
            case InfoEvent i:
                sb.Append("* ").Append(TextSanitizer.Sanitize(i.Text)).Append('\n');
                break;
            case ErrorEvent e:
                sb.Append("! ").Append(e.Code).Append(": ").Append(TextSanitizer.Sanitize(e.Text)).Append('\n');
                break;
            case RoomsEvent r:
                AppendRooms(sb, r);
                break;
            case MembersEvent m:
                AppendMembers(sb, m);
                break;
            case HistoryEvent h:
                AppendHistory(sb, h);
                break;
            case TopicEvent t:
                AppendTopic(sb, t.Room, t.Topic);
                break;
            case RoomUpdatedEvent u:
                AppendTopic(sb, u.Name, u.Topic);
                break;
            case PongEvent:
                sb.Append("* pong\n");
                break;
            case WelcomeEvent w:
                sb.AppendFormat(null, Welcome, w.Nick).Append('\n');
                break;
            case SessionEvent s:
                sb.Append("* resume token: ").Append(s.ResumeToken).Append('\n');
                break;
            case ResumedEvent r:
                sb.Append("* resumed: ").Append(r.Missed).Append(r.Missed == 1 ? " missed event\n" : " missed events\n");
                break;
            case AuthEvent a:
                sb.Append("* signed in as ").Append(a.Nick).Append(" (account ").Append(TextSanitizer.Sanitize(a.Account)).Append(")\n");
                break;
            case RoomClosedEvent c:
                sb.Append("* room ").Append(c.Room).Append(" was closed: ").Append(TextSanitizer.Sanitize(c.Reason)).Append('\n');
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(evt), evt.Type, "no text form for this event");
        }
    }

    private static void AppendMessage(StringBuilder sb, MessageEvent m)
    {
        sb.Append('[').Append(m.Room).Append("] ");
        if (m.Type == MessageKinds.Action)
        {
            sb.Append("* ").Append(m.From).Append(' ');
        }
        else
        {
            sb.Append(m.From).Append(": ");
        }

        sb.Append(TextSanitizer.Sanitize(m.Text)).Append('\n');
    }

    private static void AppendLeft(StringBuilder sb, LeftEvent l)
    {
        sb.Append('[').Append(l.Room).Append("] <- ").Append(l.Nick).Append(" left");
        if (l.Reason != LeftReasons.Left)
        {
            sb.Append(" (").Append(l.Reason);
            if (!string.IsNullOrEmpty(l.Text))
            {
                sb.Append(": ").Append(TextSanitizer.Sanitize(l.Text));
            }

            sb.Append(')');
        }

        sb.Append('\n');
    }

    private static void AppendRooms(StringBuilder sb, RoomsEvent r)
    {
        sb.Append("* rooms: ");
        for (var i = 0; i < r.Rooms.Count; i++)
        {
            var room = r.Rooms[i];
            sb.Append(i == 0 ? "" : ", ").Append(room.Name).Append(" (").Append(room.Members).Append(')');
            if (room.Topic is not null)
            {
                sb.Append(" \"").Append(TextSanitizer.Sanitize(room.Topic)).Append('"');
            }
        }

        sb.Append('\n');
    }

    private static void AppendMembers(StringBuilder sb, MembersEvent m)
    {
        sb.Append("* members of ").Append(m.Room).Append(": ");
        for (var i = 0; i < m.Members.Count; i++)
        {
            sb.Append(i == 0 ? "" : ", ").Append(m.Members[i].Nick).Append(" (").Append(m.Members[i].Via).Append(')');
        }

        sb.Append('\n');
    }

    private static void AppendHistory(StringBuilder sb, HistoryEvent h)
    {
        var count = h.Messages.Count;
        sb.Append("* history of ").Append(h.Room).Append(" (").Append(count).Append(count == 1 ? " message)\n" : " messages)\n");
        foreach (var m in h.Messages)
        {
            AppendMessage(sb, m);
        }

        sb.Append("* end of history\n");
    }

    private static void AppendTopic(StringBuilder sb, string room, string? topic)
    {
        if (topic is null)
        {
            sb.Append("* ").Append(room).Append(" has no topic\n");
        }
        else
        {
            sb.Append("* topic of ").Append(room).Append(": ").Append(TextSanitizer.Sanitize(topic)).Append('\n');
        }
    }
}
