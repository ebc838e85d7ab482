using SocketGateway.Core.Identity;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Core.Cluster;

/// <summary>
/// Resume on another node: the node a dropped user comes back to asks the node holding its session to hand it over.
/// Two steps. The holder first tells who the user is, and keeps holding. The new node then puts a receiver in the
/// user's rooms and asks for the rest. The holder takes its stand-in out, under the rooms' send gates, and sends what
/// the stand-in collected, with each room's last place in the order. The new node drops what it received twice. A
/// single node has no other node to ask, and runs without this seam.
/// </summary>
public interface ISessionHandover
{
    /// <summary>Asks the other nodes for the session of <paramref name="token"/>; null when none holds it.</summary>
    Task<HeldSession?> BeginAsync(string token, CancellationToken cancellationToken);

    /// <summary>
    /// This node receives the user's events now, since each room's place in <paramref name="joinPlaces"/>: the holder
    /// ends its hold and sends what it collected (null if it cannot). Not cancellable, since the holder may already
    /// have let go; a <see cref="TimeoutException"/> when no answer came, and the holder may or may not have.
    /// </summary>
    Task<HandedOverEvents?> CompleteAsync(string token, string claimOwner, IReadOnlyDictionary<string, long> joinPlaces);

    /// <summary>Answers the other nodes' requests from this node's held sessions.</summary>
    void Serve(IHeldSessions held);
}

/// <summary>A node's held sessions, as the handover's holder side sees them.</summary>
public interface IHeldSessions
{
    /// <summary>The held session of <paramref name="token"/>, now promised to another node; null when not held here.</summary>
    HeldSession? BeginHandover(string token);

    /// <summary>
    /// Ends the hold silently and gives up what it collected, once its rooms here have reached the places the new
    /// node's receiver joined at; its nick claim passes to <paramref name="claimOwner"/>.
    /// </summary>
    Task<HandedOverEvents?> CompleteHandoverAsync(string token, string claimOwner, IReadOnlyDictionary<string, long> joinPlaces);
}

/// <summary>Who a held user is: what the node it comes back to needs to make it the same member.</summary>
public sealed record HeldSession(
    string Nick,
    Account? Account,
    IReadOnlyList<string> Rooms,
    string? CurrentRoom,
    OutputFormat Format,
    IReadOnlyList<string> BannedFrom);

/// <summary>One event a held session collected, in the wire form between nodes.</summary>
public sealed record HandedOverEvent(string? Room, long Place, byte[] Json);

/// <summary>What a held session collected, in order, and the last place of each of its rooms on the holder.</summary>
public sealed record HandedOverEvents(IReadOnlyList<HandedOverEvent> Events, IReadOnlyDictionary<string, long> LastPlaces);
