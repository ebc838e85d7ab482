using System.Collections.Concurrent;

namespace SocketGateway.Core.Sessions;

/// <summary>
/// The one nick namespace of this node, shared by every transport, compared case-insensitively. A guest's nick is
/// its session's alone; an account's nick is held by every session of that account (a browser and <c>nc</c> at once
/// are one nick), and by no one else while any of them is connected.
/// </summary>
public sealed class NickRegistry
{
    private readonly ConcurrentDictionary<string, NickHolder> _byNick = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<ChatSession, byte> _sessions = new(ReferenceEqualityComparer.Instance);
    private readonly Lock _gate = new();

    /// <summary>Connected sessions (an account connected twice counts twice).</summary>
    public int Count => _sessions.Count;

    public IEnumerable<ChatSession> Sessions => _sessions.Keys;

    /// <summary>Takes a free nick, or joins the other sessions of the same account on it.</summary>
    public bool TryClaim(string nick, ChatSession session)
    {
        lock (_gate)
        {
            if (!TryHold(nick, session))
            {
                return false;
            }

            _sessions.TryAdd(session, 0);
            return true;
        }
    }

    /// <summary>Every session holding <paramref name="nick"/> here: none, a guest, or each session of an account.</summary>
    public IReadOnlyList<ChatSession> SessionsOf(string nick) =>
        _byNick.TryGetValue(nick, out var holder) ? holder.Sessions : [];

    public bool IsTaken(string nick) => _byNick.ContainsKey(nick);

    /// <summary>Whether <paramref name="session"/> could take <paramref name="nick"/> here (free, or its account's).</summary>
    public bool IsFreeFor(string nick, ChatSession session) =>
        !_byNick.TryGetValue(nick, out var holder) || holder.Admits(session);

    /// <summary>The session is gone; returns true when no session of this node holds the nick any more.</summary>
    public bool Release(string nick, ChatSession session)
    {
        lock (_gate)
        {
            _sessions.TryRemove(session, out _);
            return Unhold(nick, session);
        }
    }

    /// <summary>
    /// Moves a session to a new nick (a change of case only keeps the same entry). <paramref name="oldNickFreed"/>
    /// says whether the old nick is now free here (false while other sessions of the account still hold it).
    /// </summary>
    public bool TryRename(ChatSession session, string oldNick, string newNick, out bool oldNickFreed)
    {
        oldNickFreed = false;
        lock (_gate)
        {
            if (string.Equals(oldNick, newNick, StringComparison.OrdinalIgnoreCase))
            {
                // The same entry; a session alone on it may have signed in since, so it now holds it for its account.
                if (_byNick.TryGetValue(oldNick, out var own) && own.Sessions is [var only] && ReferenceEquals(only, session))
                {
                    _byNick[oldNick] = new NickHolder(session.Account?.Id, [session]);
                }

                return true;
            }

            if (!TryHold(newNick, session))
            {
                return false;
            }

            oldNickFreed = Unhold(oldNick, session);
            return true;
        }
    }

    /// <summary>
    /// <paramref name="to"/> takes <paramref name="from"/>'s place on its nick (a dropped session held, then resumed):
    /// the nick is never free in between, so nobody can take it.
    /// </summary>
    public void Replace(string nick, ChatSession from, ChatSession to)
    {
        lock (_gate)
        {
            _sessions.TryRemove(from, out _);
            _sessions.TryAdd(to, 0);
            if (_byNick.TryGetValue(nick, out var holder))
            {
                _byNick[nick] = holder with { Sessions = [.. holder.Sessions.Select(s => ReferenceEquals(s, from) ? to : s)] };
            }
            else
            {
                _byNick[nick] = new NickHolder(to.Account?.Id, [to]);
            }
        }
    }

    // Under _gate.
    private bool TryHold(string nick, ChatSession session)
    {
        if (!_byNick.TryGetValue(nick, out var holder))
        {
            _byNick[nick] = new NickHolder(session.Account?.Id, [session]);
            return true;
        }

        if (!holder.Admits(session))
        {
            return false;
        }

        if (!holder.Sessions.Contains(session))
        {
            _byNick[nick] = holder with { Sessions = [.. holder.Sessions, session] };
        }

        return true;
    }

    // Under _gate.
    private bool Unhold(string nick, ChatSession session)
    {
        if (!_byNick.TryGetValue(nick, out var holder) || !holder.Sessions.Contains(session))
        {
            return !_byNick.ContainsKey(nick);
        }

        if (holder.Sessions.Length == 1)
        {
            _byNick.TryRemove(nick, out _);
            return true;
        }

        _byNick[nick] = holder with { Sessions = [.. holder.Sessions.Where(s => !ReferenceEquals(s, session))] };
        return false;
    }

    /// <summary>Who holds a nick: a guest's session (no account), or the sessions of one account. Replaced, never changed.</summary>
    private sealed record NickHolder(string? Account, ChatSession[] Sessions)
    {
        public bool Admits(ChatSession session) => Account is not null && session.Account?.Id == Account;
    }
}
