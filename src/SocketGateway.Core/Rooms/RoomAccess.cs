using System.Collections.Immutable;
using SocketGateway.Core.Storage;

namespace SocketGateway.Core.Rooms;

/// <summary>
/// A room's invites, bans and operators, by account id. Replaced set by set (under the core's membership lock), so
/// a reader needs no lock. Guests are banned by their session instead (<see cref="Sessions.ChatSession"/>), which ends
/// with the connection, as the contract says.
/// </summary>
public sealed class RoomAccess
{
    /// <summary>The kind of a ban by nick of a guest: not stored, applied to that guest's session where it is connected.</summary>
    public const string GuestBan = "guest_ban";

    private ImmutableHashSet<string> _invited = ImmutableHashSet.Create<string>(StringComparer.Ordinal);
    private ImmutableHashSet<string> _banned = ImmutableHashSet.Create<string>(StringComparer.Ordinal);
    private ImmutableHashSet<string> _operators = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    public bool IsInvited(string account) => _invited.Contains(account);

    public bool IsBanned(string account) => _banned.Contains(account);

    public bool IsOperator(string account) => _operators.Contains(account);

    /// <summary>The accounts holding one kind of grant, sorted.</summary>
    public IReadOnlyList<string> List(string kind) => [.. Set(kind).Order(StringComparer.Ordinal)];

    internal void Apply(string kind, string account, bool granted)
    {
        var set = Set(kind);
        set = granted ? set.Add(account) : set.Remove(account);
        switch (kind)
        {
            case GrantKinds.Invite:
                _invited = set;
                break;
            case GrantKinds.Ban:
                _banned = set;
                break;
            case GrantKinds.Operator:
                _operators = set;
                break;
        }
    }

    private ImmutableHashSet<string> Set(string kind) => kind switch
    {
        GrantKinds.Invite => _invited,
        GrantKinds.Ban => _banned,
        GrantKinds.Operator => _operators,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a kind of grant"),
    };
}
