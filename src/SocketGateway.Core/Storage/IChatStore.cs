using SocketGateway.Core.Events;

namespace SocketGateway.Core.Storage;

/// <summary>A room as kept by a store.</summary>
public sealed record StoredRoom(string Name, string? Topic, int? MaxMembers, DateTimeOffset CreatedAt, long LastMessageId);

/// <summary>
/// Where rooms and history live. Room changes are durable when their task completes; <see cref="Append"/>
/// never blocks live delivery (a store may write in the background).
/// </summary>
public interface IChatStore
{
    Task<IReadOnlyList<StoredRoom>> LoadRoomsAsync(CancellationToken cancellationToken);

    Task SaveRoomAsync(StoredRoom room, CancellationToken cancellationToken);

    Task DeleteRoomAsync(string room, CancellationToken cancellationToken);

    void Append(MessageEvent message);

    /// <summary>Up to <paramref name="limit"/> messages with ids below <paramref name="beforeId"/> (if given), oldest first.</summary>
    Task<IReadOnlyList<MessageEvent>> GetHistoryAsync(string room, int limit, long? beforeId, CancellationToken cancellationToken);
}
