namespace SocketGateway.Core.Storage;

/// <summary>A bridge as a store keeps it: enough to start it again after a restart, on whichever node owns it.</summary>
public sealed record StoredBridge(string Id, string Room, string Host, int Port, string Framing, string Nick, DateTimeOffset CreatedAt);

/// <summary>
/// Where bridges are kept (the chat store's database). Durable when a task completes, and failing loudly rather than
/// kept for a retry: the REST call that made or removed the bridge says so.
/// </summary>
public interface IBridgeStore
{
    /// <summary>
    /// Adds the bridge, or replaces the one with its id; nick_taken when another bridge has its nick (in any case),
    /// which keeps two nodes from making two bridges of one nick at once.
    /// </summary>
    Task SaveBridgeAsync(StoredBridge bridge, CancellationToken cancellationToken);

    Task DeleteBridgeAsync(string id, CancellationToken cancellationToken);

    /// <summary>Every bridge, oldest first.</summary>
    Task<IReadOnlyList<StoredBridge>> ListBridgesAsync(CancellationToken cancellationToken);
}

public static class BridgeStores
{
    public static ChatException NickTaken(StoredBridge bridge) =>
        new(ErrorCodes.NickTaken, $"another bridge speaks as {bridge.Nick}");
}
