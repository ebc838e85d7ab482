using SocketGateway.Core.Events;

namespace SocketGateway.Core.Storage;

/// <summary>A room as kept by a store; <see cref="LastMessageId"/> is read back on load and ignored on save.</summary>
public sealed record StoredRoom(string Name, string? Topic, int? MaxMembers, DateTimeOffset CreatedAt, long LastMessageId = 0);

/// <summary>
/// What a store holds at start: its rooms and the highest message id reserved or stored so far (the allocator's
/// first block starts above it).
/// </summary>
public sealed record StoreSnapshot(IReadOnlyList<StoredRoom> Rooms, long MessageIdHighWaterMark);

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

    Task DeleteRoomAsync(string room, CancellationToken cancellationToken);

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
}
