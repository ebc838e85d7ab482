using BenchmarkDotNet.Attributes;
using SocketGateway.Core.Events;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Benchmarks;

/// <summary>One room message in each wire format: done once per event, whatever the number of recipients.</summary>
public class EncoderBenchmarks
{
    private readonly MessageEvent _message = new(
        MessageKinds.Message, 123456, "lobby", "alice", new string('x', 64), DateTimeOffset.UnixEpoch.AddYears(56), "tcp");

    [Benchmark(Baseline = true)]
    public byte[] Text() => TextEventWriter.Encode(_message);

    [Benchmark]
    public byte[] Json() => JsonEventWriter.Encode(_message);
}
