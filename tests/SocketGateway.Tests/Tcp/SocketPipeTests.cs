using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using SocketGateway.Tcp;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Tcp;

/// <summary>The plain chat port's reader and writer, on a real connected pair of sockets.</summary>
public sealed class SocketPipeTests : IAsyncLifetime
{
    private Socket _server = null!;
    private Socket _client = null!;

    public async Task InitializeAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptAsync();
        await _client.ConnectAsync(listener.LocalEndPoint!);
        _server = await accept;
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        _server.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Bytes_come_in_order_and_an_unconsumed_rest_is_read_again_with_what_follows()
    {
        var reader = new SocketPipeReader(_server);
        var pending = reader.ReadAsync();
        Assert.False(pending.IsCompleted); // nothing sent yet: the read waits on the socket

        await _client.SendAsync("hello wo"u8.ToArray());
        var first = await pending.AsTask().WaitAsync(Timeouts.Step);
        if (first.Buffer.Length < 8)
        {
            reader.AdvanceTo(first.Buffer.Start, first.Buffer.End);
            first = await ReadUntilAsync(reader, r => r.Buffer.Length >= 8);
        }

        Assert.Equal("hello wo", Encoding.ASCII.GetString(first.Buffer.ToArray()));
        // "hello " consumed, "wo" examined: the next read must wait for more, then give "wo" and the rest.
        reader.AdvanceTo(first.Buffer.GetPosition(6), first.Buffer.End);
        var second = reader.ReadAsync();
        Assert.False(second.IsCompleted);

        await _client.SendAsync("rld\n"u8.ToArray());
        var result = await second.AsTask().WaitAsync(Timeouts.Step);
        Assert.Equal("world\n", Encoding.ASCII.GetString(result.Buffer.ToArray()));
        reader.AdvanceTo(result.Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task The_peer_s_end_is_a_completed_read_with_what_was_left()
    {
        var reader = new SocketPipeReader(_server);
        await _client.SendAsync("partial"u8.ToArray());
        _client.Shutdown(SocketShutdown.Send);

        var result = await ReadUntilAsync(reader, r => r.IsCompleted);
        Assert.Equal("partial", Encoding.ASCII.GetString(result.Buffer.ToArray()));
        reader.AdvanceTo(result.Buffer.End);
    }

    [Fact]
    public async Task A_cancelled_pending_read_wakes_and_the_next_read_still_gets_the_data()
    {
        var reader = new SocketPipeReader(_server);
        var pending = reader.ReadAsync();
        reader.CancelPendingRead();
        var cancelled = await pending.AsTask().WaitAsync(Timeouts.Step);
        Assert.True(cancelled.IsCanceled);
        reader.AdvanceTo(cancelled.Buffer.End);

        var next = reader.ReadAsync();
        await _client.SendAsync("after\n"u8.ToArray());
        var result = await next.AsTask().WaitAsync(Timeouts.Step);
        Assert.False(result.IsCanceled);
        Assert.Equal("after\n", Encoding.ASCII.GetString(result.Buffer.ToArray()));
    }

    [Fact]
    public async Task A_cancel_that_comes_just_after_a_read_completed_cancels_the_next_read_once()
    {
        var reader = new SocketPipeReader(_server);
        await _client.SendAsync("line one\n"u8.ToArray());
        var first = await ReadUntilAsync(reader, r => r.Buffer.Length >= 9);
        reader.CancelPendingRead(); // no read is pending: the PipeReader contract moves it to the next one
        reader.AdvanceTo(first.Buffer.GetPosition(5), first.Buffer.End); // "line " consumed, "one\n" examined

        var cancelled = await reader.ReadAsync().AsTask().WaitAsync(Timeouts.Step);
        Assert.True(cancelled.IsCanceled);
        Assert.Equal("one\n", Encoding.ASCII.GetString(cancelled.Buffer.ToArray())); // what was kept, not lost
        reader.AdvanceTo(cancelled.Buffer.Start, cancelled.Buffer.End);

        // Once: the read after it waits for the socket and gets the kept bytes with the new ones.
        var next = reader.ReadAsync();
        Assert.False(next.IsCompleted);
        await _client.SendAsync("two\n"u8.ToArray());
        var result = await next.AsTask().WaitAsync(Timeouts.Step);
        Assert.False(result.IsCanceled);
        Assert.Equal("one\ntwo\n", Encoding.ASCII.GetString(result.Buffer.ToArray()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(2047)]
    [InlineData(4096)]
    [InlineData(9000)]
    public async Task Bytes_kept_unconsumed_across_many_reads_are_moved_and_grown_without_a_byte_lost(int chunk)
    {
        // Lines of every length up to three buffers, sent in chunks of a given size: an incomplete line is kept,
        // moved to the front of its buffer (or into a bigger one) and completed by the reads that follow.
        var random = new Random(chunk);
        var sent = new MemoryStream();
        for (var line = 0; line < 200; line++)
        {
            var length = random.Next(0, 3 * 4096);
            for (var i = 0; i < length; i++)
            {
                sent.WriteByte((byte)('a' + random.Next(26)));
            }

            sent.WriteByte((byte)'\n');
        }

        var bytes = sent.ToArray();
        var sending = Task.Run(async () =>
        {
            for (var offset = 0; offset < bytes.Length; offset += chunk)
            {
                await _client.SendAsync(bytes.AsMemory(offset, Math.Min(chunk, bytes.Length - offset)));
            }

            _client.Shutdown(SocketShutdown.Send);
        });

        var reader = new SocketPipeReader(_server);
        var received = new MemoryStream();
        while (true)
        {
            var result = await reader.ReadAsync().AsTask().WaitAsync(Timeouts.Step);
            // Only whole lines are consumed, as the line reader does; the rest is examined and kept.
            var end = LastLineEnd(result.Buffer);
            foreach (var segment in result.Buffer.Slice(0, end))
            {
                received.Write(segment.Span);
            }

            if (result.IsCompleted)
            {
                foreach (var segment in result.Buffer.Slice(end))
                {
                    received.Write(segment.Span);
                }

                reader.AdvanceTo(result.Buffer.End);
                break;
            }

            reader.AdvanceTo(end, result.Buffer.End);
        }

        await sending.WaitAsync(Timeouts.Step);
        Assert.Equal(bytes.Length, received.Length);
        Assert.True(bytes.AsSpan().SequenceEqual(received.ToArray()));
    }

    private static SequencePosition LastLineEnd(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        var end = buffer.Start;
        while (reader.TryAdvanceTo((byte)'\n'))
        {
            end = reader.Position;
        }

        return end;
    }

    [Fact]
    public async Task A_token_ends_a_pending_read_and_the_reader_goes_on()
    {
        var reader = new SocketPipeReader(_server);
        using var cts = new CancellationTokenSource();
        var pending = reader.ReadAsync(cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsTask().WaitAsync(Timeouts.Step));

        await _client.SendAsync("still here\n"u8.ToArray());
        var result = await ReadUntilAsync(reader, r => r.Buffer.Length >= 11);
        Assert.Equal("still here\n", Encoding.ASCII.GetString(result.Buffer.ToArray()));
    }

    [Fact]
    public async Task A_flush_to_a_peer_that_does_not_read_waits_then_delivers_everything_in_order()
    {
        var writer = new SocketPipeWriter(_server);
        var payload = new byte[8 * 1024 * 1024]; // far beyond both sides' socket buffers
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)(i % 251);
        }

        writer.Write(payload);
        var flush = writer.FlushAsync();
        Assert.False(flush.IsCompleted);

        var received = new byte[payload.Length];
        var total = 0;
        while (total < received.Length)
        {
            var count = await _client.ReceiveAsync(received.AsMemory(total)).AsTask().WaitAsync(Timeouts.Step);
            Assert.NotEqual(0, count);
            total += count;
        }

        var result = await flush.AsTask().WaitAsync(Timeouts.Step);
        Assert.False(result.IsCanceled);
        Assert.Equal(payload, received);
    }

    [Fact]
    public async Task A_stuck_flush_is_cancelled_by_CancelPendingFlush()
    {
        var writer = new SocketPipeWriter(_server);
        writer.Write(new byte[8 * 1024 * 1024]);
        var flush = writer.FlushAsync();
        Assert.False(flush.IsCompleted);

        writer.CancelPendingFlush();
        var result = await flush.AsTask().WaitAsync(Timeouts.Step);
        Assert.True(result.IsCanceled);
    }

    [Fact]
    public async Task A_flush_after_a_cancelled_flush_waits_and_delivers_again()
    {
        var writer = new SocketPipeWriter(_server);
        writer.Write(new byte[8 * 1024 * 1024]);
        var first = writer.FlushAsync();
        writer.CancelPendingFlush();
        Assert.True((await first.AsTask().WaitAsync(Timeouts.Step)).IsCanceled);

        // The cancel was for that one flush: the next one that has to wait waits, and completes once read.
        writer.Write(new byte[8 * 1024 * 1024]);
        var second = writer.FlushAsync().AsTask();
        Assert.False(second.IsCompleted);
        var drain = DrainClientAsync();
        var result = await second.WaitAsync(Timeouts.Step);
        Assert.False(result.IsCanceled);
        _server.Shutdown(SocketShutdown.Send);
        await drain.WaitAsync(Timeouts.Step);
    }

    [Fact]
    public async Task A_flush_ended_by_its_token_throws_and_the_next_flush_is_not_cancelled()
    {
        var writer = new SocketPipeWriter(_server);
        writer.Write(new byte[8 * 1024 * 1024]);
        using var timeout = new CancellationTokenSource();
        var first = writer.FlushAsync(timeout.Token).AsTask();
        await timeout.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(Timeouts.Step));

        writer.Write(new byte[8 * 1024 * 1024]);
        var second = writer.FlushAsync().AsTask();
        var drain = DrainClientAsync();
        Assert.False((await second.WaitAsync(Timeouts.Step)).IsCanceled);
        _server.Shutdown(SocketShutdown.Send);
        await drain.WaitAsync(Timeouts.Step);
    }

    // Reads and discards until the server side shuts down its sending.
    private Task DrainClientAsync() => Task.Run(async () =>
    {
        var buffer = new byte[64 * 1024];
        while (await _client.ReceiveAsync(buffer) > 0)
        {
        }
    });

    private static async Task<ReadResult> ReadUntilAsync(PipeReader reader, Func<ReadResult, bool> done)
    {
        while (true)
        {
            var result = await reader.ReadAsync().AsTask().WaitAsync(Timeouts.Step);
            if (done(result))
            {
                return result;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
