using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Benchmarks;

/// <summary>The TCP read path per line: split with <see cref="LineDecoder"/> (allocation-free) and decode to a string.</summary>
public class LineDecoderBenchmarks
{
    private const int Lines = 100;
    private ReadOnlySequence<byte> _input;

    [GlobalSetup]
    public void Setup()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < Lines; i++)
        {
            sb.Append("hello there, this is line ").Append(i).Append(" of the benchmark, about 64 bytes!!\r\n");
        }

        _input = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(sb.ToString()));
    }

    [Benchmark(OperationsPerInvoke = Lines, Description = "LineDecoder.TryReadLine (per line)")]
    public long Split()
    {
        var decoder = new LineDecoder(8192);
        var reader = new SequenceReader<byte>(_input);
        long bytes = 0;
        while (decoder.TryReadLine(ref reader, out var line) == LineStatus.Line)
        {
            bytes += line.Length;
        }

        return bytes;
    }

    [Benchmark(OperationsPerInvoke = Lines, Description = "TryReadLine + LineText.TryDecode (per line; the string is the only allocation)")]
    public int SplitAndDecode()
    {
        var decoder = new LineDecoder(8192);
        var reader = new SequenceReader<byte>(_input);
        var chars = 0;
        while (decoder.TryReadLine(ref reader, out var line) == LineStatus.Line)
        {
            if (LineText.TryDecode(line, out var text))
            {
                chars += text.Length;
            }
        }

        return chars;
    }
}
