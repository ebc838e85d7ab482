using BenchmarkDotNet.Attributes;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Benchmarks;

/// <summary>Text relayed to text-format clients: clean text must come back as the same string (no allocation).</summary>
public class SanitizerBenchmarks
{
    private readonly string _clean = new string('a', 40) + " plain text, nothing to do " + new string('z', 40);
    private readonly string _dirty = "line one\r\nline two\ttabbed \u001b[31mred\u001b[0m and \u2028 more text to make it longer";

    [Benchmark(Baseline = true)]
    public string Clean() => TextSanitizer.Sanitize(_clean);

    [Benchmark]
    public string Dirty() => TextSanitizer.Sanitize(_dirty);
}
