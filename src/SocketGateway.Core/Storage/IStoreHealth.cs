namespace SocketGateway.Core.Storage;

/// <summary>A store that can fail while chat goes on tells how it is doing, for /healthz.</summary>
public interface IStoreHealth
{
    /// <summary>Null while writes succeed; otherwise what went wrong last.</summary>
    string? Problem { get; }

    /// <summary>Messages delivered live but not kept in history because the write buffer was full.</summary>
    long DroppedMessages { get; }
}
