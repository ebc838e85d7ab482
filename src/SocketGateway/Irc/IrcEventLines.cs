using System.Globalization;
using System.Text;
using SocketGateway.Core;
using SocketGateway.Core.Events;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Irc;

/// <summary>
/// What the room core's events look like to one IRC client: messages from anyone else as PRIVMSG from
/// <c>nick!via@socketgateway</c>, joins, leaves, nick changes, topic changes, kicks and room closes as JOIN, PART,
/// QUIT, NICK, TOPIC and KICK. The core sends a nick change or a quit once per room; IRC says it once per user.
/// What the client enabled through CAP adds to that: the message's time and id as tags, its own messages echoed, the
/// history a join replays as a <c>chathistory</c> batch.
/// </summary>
public sealed class IrcEventLines(string server, IrcCapabilities caps, TimeProvider time)
{
    public const string Host = "socketgateway";

    private readonly Dictionary<string, string> _via = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string?> _topics = new(StringComparer.OrdinalIgnoreCase);
    private (string Old, string New)? _lastNick;
    private string? _lastQuit;
    private int _batches;

    public IrcCapabilities Caps => caps;

    /// <summary>The client's nick as it knows it (changed by the NICK line it is sent).</summary>
    public string Nick { get; set; } = "*";

    public string Source(string nick) => $"{nick}!{ViaOf(nick)}@{Host}";

    public void Saw(string nick, string via) => _via[nick] = via;

    public void SawTopic(string room, string? topic) => _topics[room] = topic;

    /// <summary>The lines for <paramref name="evt"/>; none for what IRC has no word for, or the client's own echo.</summary>
    public IEnumerable<string> For(ChatEvent evt)
    {
        switch (evt)
        {
            case MessageEvent message when caps.Has(IrcCapabilities.EchoMessage) || !Same(message.From, Nick):
                _lastNick = null;
                _lastQuit = null;
                return Message(message, batch: null);
            case PrivateEvent { Echo: false } pm:
                return Privmsg(Tags(pm.Ts, null, null), Source(pm.From), Nick, pm.Text, action: false);
            case PrivateEvent pm when caps.Has(IrcCapabilities.EchoMessage):
                return Privmsg(Tags(pm.Ts, null, null), Source(Nick), pm.To, pm.Text, action: false);
            case HistoryEvent history when caps.Has(IrcCapabilities.Batch):
                return History(history.Room, history.Messages);
            default:
                return Stamped(Untagged(evt));
        }
    }

    /// <summary>
    /// A room message as every IRC client that enabled no tags sees it (all but its sender), encoded once per event and
    /// shared by all of them, as the line and hub writers share theirs; null when this client is to see it otherwise.
    /// </summary>
    public ReadOnlyMemory<byte>? Shared(OutboundEvent evt)
    {
        if (evt.Event is not MessageEvent message || Same(message.From, Nick)
            || caps.Has(IrcCapabilities.ServerTime) || caps.Has(IrcCapabilities.MessageTags))
        {
            return null;
        }

        Saw(message.From, message.Via);
        _lastNick = null;
        _lastQuit = null;
        return evt.GetAdapterPayload(static e => new SharedLines((MessageEvent)e)).Bytes;
    }

    /// <summary>
    /// A room's past messages (a join's replay, a <c>CHATHISTORY</c> answer), oldest first: in a <c>chathistory</c>
    /// batch when the client takes batches, else as they are.
    /// </summary>
    public IEnumerable<string> History(string room, IReadOnlyList<MessageEvent> messages)
    {
        if (!caps.Has(IrcCapabilities.Batch))
        {
            return messages.SelectMany(message => Message(message, batch: null));
        }

        var reference = (++_batches).ToString(CultureInfo.InvariantCulture);
        return messages.SelectMany(message => Message(message, reference))
            .Prepend($":{server} BATCH +{reference} chathistory #{room}")
            .Append($":{server} BATCH -{reference}");
    }

    private IEnumerable<string> Message(MessageEvent message, string? batch)
    {
        Saw(message.From, message.Via);
        return Privmsg(Tags(message.Ts, message.Id, batch), Source(message.From), "#" + message.Room, message.Text,
            message.Type == MessageKinds.Action);
    }

    // Lines with no time of their own are stamped with now, for a client that asked for server-time.
    private IEnumerable<string> Stamped(IEnumerable<string> lines)
    {
        if (!caps.Has(IrcCapabilities.ServerTime))
        {
            return lines;
        }

        var tag = $"@time={Timestamp(time.GetUtcNow())} ";
        return lines.Select(line => tag + line);
    }

    /// <summary>The tags a line carries for what the client enabled: its batch, <c>time</c> (server-time), <c>msgid</c> (message-tags).</summary>
    private string Tags(DateTimeOffset ts, long? id, string? batch)
    {
        var tags = new StringBuilder();
        if (batch is not null)
        {
            tags.Append("batch=").Append(batch);
        }

        if (caps.Has(IrcCapabilities.ServerTime))
        {
            tags.Append(tags.Length > 0 ? ";" : "").Append("time=").Append(Timestamp(ts));
        }

        if (id is { } msgid && caps.Has(IrcCapabilities.MessageTags))
        {
            tags.Append(tags.Length > 0 ? ";" : "").Append("msgid=").Append(msgid.ToString(CultureInfo.InvariantCulture));
        }

        return tags.Length == 0 ? "" : $"@{tags} ";
    }

    /// <summary>The PRIVMSG lines of a message from <c>nick!via@socketgateway</c>, without tags, as bytes on the wire.</summary>
    private sealed class SharedLines(MessageEvent message)
    {
        public byte[] Bytes { get; } = [.. Privmsg("", $"{message.From}!{message.Via}@{Host}", "#" + message.Room, message.Text,
            message.Type == MessageKinds.Action).SelectMany(IrcOutput.Encode)];
    }

    private static string Timestamp(DateTimeOffset ts) => ts.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private IEnumerable<string> Untagged(ChatEvent evt)
    {
        switch (evt)
        {
            case JoinedEvent joined:
                Saw(joined.Nick, joined.Via);
                _lastQuit = null;
                return [$":{Source(joined.Nick)} JOIN #{joined.Room}"];
            case LeftEvent { Reason: LeftReasons.Kicked } kicked:
                return [$":{server} KICK #{kicked.Room} {kicked.Nick} :{kicked.Text ?? "kicked"}"];
            case LeftEvent left when Same(left.Nick, Nick) || left.Reason is LeftReasons.Left:
                return [$":{Source(left.Nick)} PART #{left.Room}" + (left.Text is { Length: > 0 } why ? $" :{why}" : "")];
            case LeftEvent left:
                if (Same(_lastQuit, left.Nick))
                {
                    return [];
                }

                _lastQuit = left.Nick;
                return [$":{Source(left.Nick)} QUIT :{QuitText(left)}"];
            case NickEvent nick:
                if (_lastNick is { } last && Same(last.Old, nick.Old) && Same(last.New, nick.New))
                {
                    return [];
                }

                _lastNick = (nick.Old, nick.New);
                var line = $":{Source(nick.Old)} NICK {nick.New}";
                if (_via.Remove(nick.Old, out var via))
                {
                    _via[nick.New] = via;
                }

                if (Same(nick.Old, Nick))
                {
                    Nick = nick.New;
                }

                return [line];
            case RoomUpdatedEvent updated when _topics.TryGetValue(updated.Name, out var before) && before != updated.Topic:
                _topics[updated.Name] = updated.Topic;
                return [$":{server} TOPIC #{updated.Name} :{updated.Topic}"];
            case RoomClosedEvent closed:
                _topics.Remove(closed.Room);
                return [$":{server} KICK #{closed.Room} {Nick} :the room was closed: {closed.Reason}"];
            case InfoEvent info:
                return [$":{server} NOTICE {Nick} :{info.Text}"];
            case ErrorEvent error:
                return [$":{server} NOTICE {Nick} :! {error.Code}: {error.Text}"];
            default:
                return [];
        }
    }

    /// <summary>PRIVMSG lines for a text: one per line of it, each cut to fit IRC's 512 bytes, each with the message's tags.</summary>
    public static IEnumerable<string> Privmsg(string tags, string source, string target, string text, bool action)
    {
        var head = $"{tags}:{source} PRIVMSG {target} :";
        var wrap = action ? 9 : 0; // \x01ACTION and \x01
        // The 512 bytes are counted without the tags, which have a budget of their own.
        var budget = IrcOutput.MaxLineBytes - 2 - Encoding.UTF8.GetByteCount(head) + Encoding.UTF8.GetByteCount(tags) - wrap;
        foreach (var line in text.Split('\n'))
        {
            foreach (var piece in Pieces(line.TrimEnd('\r'), Math.Max(budget, 16)))
            {
                yield return action ? $"{head}\u0001ACTION {piece}\u0001" : head + piece;
            }
        }
    }

    // The text in pieces of at most maxBytes of UTF-8, never splitting a character.
    private static IEnumerable<string> Pieces(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            yield return text;
            yield break;
        }

        var start = 0;
        var bytes = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var width = char.IsHighSurrogate(text[i]) && i + 1 < text.Length ? 4 : Encoding.UTF8.GetByteCount(text.AsSpan(i, 1));
            if (bytes + width > maxBytes)
            {
                yield return text[start..i];
                start = i;
                bytes = 0;
            }

            bytes += width;
            if (width == 4)
            {
                i++;
            }
        }

        yield return text[start..];
    }

    private static string QuitText(LeftEvent left) => left.Reason == LeftReasons.Quit
        ? left.Text is { Length: > 0 } text ? $"Quit: {text}" : "Quit"
        : left.Reason.Replace('_', ' ');

    private string ViaOf(string nick) => _via.TryGetValue(nick, out var via) ? via : "user";

    private static bool Same(string? a, string? b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
