namespace SocketGateway.Tests.Infrastructure;

/// <summary>
/// Load tests that measure the process (memory, timing) or put a thousand sockets on it: they run alone, after the
/// parallel collections, so neither they nor the other tests disturb each other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IsolatedCollection
{
    public const string Name = "isolated";
}
