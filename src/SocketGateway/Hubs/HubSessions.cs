using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections.Abstractions;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using SocketGateway.Core;
using SocketGateway.Core.Events;
using SocketGateway.Core.Sessions;
using SocketGateway.Connections;
using SocketGateway.Hosting;

namespace SocketGateway.Hubs;

/// <summary>The chat session behind each hub connection, and the pump that writes its events to the browser.</summary>
public sealed class HubSessions(ChatConnections pipeline, HubConnections connections, FlushPacer pacer, HubDropDetector drops)
{
    private readonly ConcurrentDictionary<string, (ChatSession Session, HubSocketWatch? Socket)> _sessions = new(StringComparer.Ordinal);

    public ChatSession Open(HubCallerContext context)
    {
        var connection = connections.Find(context.ConnectionId)
            ?? throw new InvalidOperationException("the hub connection is not registered");
        var http = context.GetHttpContext();
        var session = pipeline.Open(Via.Web, http?.Connection.RemoteEndPoint(), new CutOffByAbort(connection), Identity.HubSignIn.AccountOf(http), resumable: true);
        var socket = drops.Connected(http);
        _sessions[context.ConnectionId] = (session, socket);
        _ = PumpAsync(session, connection, socket);
        return session;
    }

    public ChatSession Get(HubCallerContext context) =>
        _sessions.TryGetValue(context.ConnectionId, out var entry)
            ? entry.Session
            : throw new HubException("the connection has no chat session");

    /// <summary>The connection ended: a drop is held for a resume, a close by the user is a leave (<see cref="HubDropDetector"/>).</summary>
    public void Close(HubCallerContext context, Exception? error)
    {
        if (_sessions.TryRemove(context.ConnectionId, out var entry))
        {
            var dropped = drops.Dropped(entry.Socket, error);
            pipeline.Close(entry.Session, LeftReasons.Disconnected, mayHold: dropped);
        }
    }

    // Bounds how much one batched write copies, like the line writer's flush threshold.
    private const int BatchBytes = 64 * 1024;

    /// <summary>
    /// Drains the session's queue to the browser: one event is written as its shared serialized message; when
    /// several are waiting, their serialized bytes (each made once per event, for every recipient) are copied into
    /// one pooled buffer and written together, so a busy member costs one write and one flush per batch, not per event.
    /// After a write that emptied the queue the pump waits for the pacer's next tick, so that a member receiving a
    /// steady stream gets it in batches too. The pump ends when the session's queue is completed (on disconnect or
    /// overflow), so the wait for events needs no cancellation registration of its own.
    /// </summary>
    private async Task PumpAsync(ChatSession session, HubConnectionContext connection, HubSocketWatch? socket)
    {
        var aborted = connection.ConnectionAborted;
        var protocol = connection.Protocol;
        // Stateful reconnect numbers each hub message for its acks and resend: several laid end to end in one write
        // would be counted as one by the server and as several by the client, and a resend would start mid-message.
        // (The feature is still marked preview; it is only looked for here, never implemented.)
#pragma warning disable CA2252
        var batchBytes = connection.Features.Get<IStatefulReconnectFeature>() is null ? BatchBytes : 0;
#pragma warning restore CA2252
        try
        {
            while (await session.Outbound.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                if (socket is not null && !socket.WhenUp.IsCompleted)
                {
                    // Between sockets (a stateful reconnect): the events wait in the queue, for the next socket or,
                    // if none comes, for the session's hold.
                    await socket.WhenUp.WaitAsync(aborted).ConfigureAwait(false);
                }

                SerializedHubMessage? single = null;
                var batch = default(PooledBatch);
                while ((batchBytes > 0 ? batch.Length < batchBytes : single is null) && session.Outbound.TryRead(out var evt))
                {
                    if (HubEventMessages.For(evt) is not { } message)
                    {
                        continue;
                    }

                    if (single is null && batch.IsEmpty)
                    {
                        single = message;
                        continue;
                    }

                    if (single is not null)
                    {
                        batch.Append(single.GetSerializedMessage(protocol).Span);
                        single = null;
                    }

                    batch.Append(message.GetSerializedMessage(protocol).Span);
                }

                // Unbatched, the pump goes on at once while events wait; it paces itself only after emptying the queue.
                var full = batchBytes == 0 || batch.Length >= batchBytes;
                try
                {
                    if (single is not null)
                    {
                        await connection.WriteAsync(single, aborted).ConfigureAwait(false);
                    }
                    else if (!batch.IsEmpty)
                    {
                        // WriteAsync has copied the bytes into the connection's pipe when it completes.
                        await connection.WriteAsync(new SerializedHubMessage([new SerializedMessage(protocol.Name, batch.Memory)]), aborted).ConfigureAwait(false);
                    }
                    else
                    {
                        continue;
                    }
                }
                finally
                {
                    batch.Return();
                }

                // The writer contract of every transport: drained after each batch, stopped when it ends.
                session.NotifyDrained();
                if (!full)
                {
                    await pacer.NextTickAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            // The pump runs unobserved, so it reports its own end: a browser gone is routine, anything else a bug;
            // either way the browser is cut off rather than left connected with nobody writing to it.
            pipeline.Ended(Via.Web, session.RemoteAddress, e);
            connection.Abort();
        }
        finally
        {
            session.WriterStopped();
        }
    }

    /// <summary>Serialized hub messages laid end to end in a rented buffer (the protocol's framing is in each).</summary>
    private struct PooledBatch
    {
        private byte[]? _buffer;

        public int Length { get; private set; }

        public readonly bool IsEmpty => Length == 0;

        public readonly ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

        public void Append(ReadOnlySpan<byte> bytes)
        {
            if (_buffer is null || Length + bytes.Length > _buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(Length + bytes.Length, 4096));
                _buffer?.AsSpan(0, Length).CopyTo(larger);
                Return();
                _buffer = larger;
            }

            bytes.CopyTo(_buffer.AsSpan(Length));
            Length += bytes.Length;
        }

        public void Return()
        {
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }
        }
    }

    private sealed class CutOffByAbort(HubConnectionContext connection) : IChatTransport
    {
        public void CutOff() => connection.Abort();
    }
}
