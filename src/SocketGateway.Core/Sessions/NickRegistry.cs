using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace SocketGateway.Core.Sessions;

/// <summary>The one nick namespace of the gateway, shared by every transport, compared case-insensitively.</summary>
public sealed class NickRegistry
{
    private readonly ConcurrentDictionary<string, ChatSession> _byNick = new(StringComparer.OrdinalIgnoreCase);

    public int Count => _byNick.Count;

    public IEnumerable<ChatSession> Sessions => _byNick.Values;

    public bool TryClaim(string nick, ChatSession session) => _byNick.TryAdd(nick, session);

    public bool TryGet(string nick, [NotNullWhen(true)] out ChatSession? session) => _byNick.TryGetValue(nick, out session);

    public bool IsTaken(string nick) => _byNick.ContainsKey(nick);

    public void Release(string nick, ChatSession session) =>
        _byNick.TryRemove(new KeyValuePair<string, ChatSession>(nick, session));

    /// <summary>Moves a session to a new nick; a change of case only keeps the same entry.</summary>
    public bool TryRename(ChatSession session, string oldNick, string newNick)
    {
        if (string.Equals(oldNick, newNick, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!_byNick.TryAdd(newNick, session))
        {
            return false;
        }

        Release(oldNick, session);
        return true;
    }
}
