namespace SocketGateway.Core.Cluster;

/// <summary>
/// This process's identity in the gateway: its name (configured, or the host name and HTTP port, which with port 0
/// is known only once the listeners are bound) and when it started.
/// </summary>
public sealed class ThisNode(TimeProvider time)
{
    private readonly TaskCompletionSource _named = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _name;

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    public string Name => _name ?? throw new InvalidOperationException("the node is named when its listeners are bound");

    public bool IsNamed => _name is not null;

    /// <summary>Completes once the node has its name.</summary>
    public Task WhenNamed => _named.Task;

    public void Named(string name)
    {
        _name = name;
        _named.TrySetResult();
    }
}
