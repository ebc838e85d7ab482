using SocketGateway.Core.Events;

namespace SocketGateway.Core.Storage;

/// <summary>A room as kept by a store; <see cref="LastMessageId"/> is read back on load and ignored on save.</summary>
public sealed record StoredRoom(string Name, string? Topic, int? MaxMembers, DateTimeOffset CreatedAt, long LastMessageId = 0, bool Private = false);

/// <summary>An account's standing in a room: <see cref="GrantKinds"/>.</summary>
public sealed record StoredGrant(string Room, string Account, string Kind);

public static class GrantKinds
{
    /// <summary>May join the private room (besides the accounts whose token lists it).</summary>
    public const string Invite = "invite";

    /// <summary>Removed from the room and may not join it again.</summary>
    public const string Ban = "ban";

    /// <summary>May kick, ban and set the topic.</summary>
    public const string Operator = "operator";
}

/// <summary>
/// What a store holds at start: its rooms and the highest message id reserved or stored so far (the allocator's
/// first block starts above it).
/// </summary>
public sealed record StoreSnapshot(IReadOnlyList<StoredRoom> Rooms, long MessageIdHighWaterMark, IReadOnlyList<StoredGrant>? Grants = null);

/// <summary>
/// Where rooms and history live. Room changes are durable when their task completes (unless the store is
/// failing, when they are kept for a retry and chat goes on); <see cref="Append"/> never blocks live delivery, and
/// a caller that must promise durability (a REST post's 201) waits for it with <see cref="WaitForCommitAsync"/>.
/// </summary>
public interface IChatStore
{
    /// <summary>Opens (creating or upgrading) the store and reads what it holds.</summary>
    Task<StoreSnapshot> OpenAsync(CancellationToken cancellationToken);

    Task SaveRoomAsync(StoredRoom room, CancellationToken cancellationToken);

    /// <summary>Deletes the room with its history and grants.</summary>
    Task DeleteRoomAsync(string room, CancellationToken cancellationToken);

    /// <summary>Adds (<paramref name="granted"/>) or removes an invite, ban or operator; durable when the task completes.</summary>
    Task SaveGrantAsync(StoredGrant grant, bool granted, CancellationToken cancellationToken);

    /// <summary>An account signed in under <paramref name="nick"/>: from now on no guest may take it.</summary>
    Task RememberNickAsync(string nick, string account, CancellationToken cancellationToken);

    /// <summary>The account that last signed in under <paramref name="nick"/> (case-insensitive), or null.</summary>
    Task<string?> NickOwnerAsync(string nick, CancellationToken cancellationToken);

    /// <summary>
    /// Reserves a block of <paramref name="count"/> ids for the caller alone: all above <paramref name="after"/> and
    /// above every id reserved before by anyone sharing the store. Durable when the task completes; returns the last
    /// id of the block. Called off the send path (<see cref="MessageIdAllocator"/> fetches blocks ahead), so a store
    /// may take a network round trip here; it should fail within its own timeout rather than hang.
    /// </summary>
    Task<long> ReserveMessageIdsAsync(long after, int count, CancellationToken cancellationToken);

    /// <summary>
    /// Queues a message for history. Returns its place in the store's write order, to wait on with
    /// <see cref="WaitForCommitAsync"/>; 0 when it will not be kept (the store's backlog is full).
    /// </summary>
    long Append(MessageEvent message);

    /// <summary>
    /// Completes once every message appended up to <paramref name="position"/> is committed, and makes the store
    /// commit without waiting to gather a bigger batch. While the store is failing it waits until the store recovers
    /// (or <paramref name="cancellationToken"/> ends the wait).
    /// </summary>
    Task WaitForCommitAsync(long position, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> messages with ids below <paramref name="beforeId"/> (if given), oldest first.</summary>
    Task<IReadOnlyList<MessageEvent>> GetHistoryAsync(string room, int limit, long? beforeId, CancellationToken cancellationToken);

    /// <summary>The first <paramref name="limit"/> messages with ids above <paramref name="afterId"/>, oldest first (catching up).</summary>
    Task<IReadOnlyList<MessageEvent>> GetHistoryAfterAsync(string room, long afterId, int limit, CancellationToken cancellationToken);
}
