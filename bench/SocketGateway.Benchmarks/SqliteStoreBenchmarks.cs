using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using SocketGateway.Core.Events;
using SocketGateway.Core.Storage;
using SocketGateway.Storage.Sqlite;

namespace SocketGateway.Benchmarks;

/// <summary>
/// The SQLite store's write throughput: a burst of messages appended (as live chat does) and the time until the
/// group-commit writer has them all on disk (WAL, synchronous=NORMAL). Reported per message.
/// </summary>
public class SqliteStoreBenchmarks
{
    private const int Burst = 10_000;
    private string _directory = "";
    private SqliteChatStore _store = null!;
    private long _nextId;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("sgw-sqlite-bench-").FullName;
        _store = new SqliteChatStore(
            new SqliteStoreOptions { ConnectionString = $"Data Source={Path.Combine(_directory, "bench.db")}", FlushIntervalMs = 5 },
            TimeProvider.System,
            NullLogger<SqliteChatStore>.Instance);
        _store.OpenAsync(CancellationToken.None).GetAwaiter().GetResult();
        _store.SaveRoomAsync(new StoredRoom("bench", null, null, DateTimeOffset.UtcNow), CancellationToken.None).GetAwaiter().GetResult();
        _store.ReserveMessageIdsAsync(0, int.MaxValue, CancellationToken.None).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Burst, Description = "append + group commit (per message)")]
    public void AppendBurstAndWait()
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < Burst; i++)
        {
            _store.Append(new MessageEvent(MessageKinds.Message, ++_nextId, "bench", "alice", "a 64-byte message text, about as long as the load tool's texts..", now, "tcp"));
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (_store.PendingMessages > 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(1);
        }
    }
}
