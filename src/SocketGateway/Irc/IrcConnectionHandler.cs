using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Connections;
using SocketGateway.Connections;
using SocketGateway.Core;
using SocketGateway.Core.Limits;

namespace SocketGateway.Irc;

/// <summary>
/// The IRC listener's connections (on Kestrel, <c>Gateway:Irc:Port</c>): admitted like every chat connection, then
/// read line by line into an <see cref="IrcClient"/>, which drives the same room core as every other transport.
/// </summary>
public sealed class IrcConnectionHandler(ChatConnections connections, IrcServer server) : ConnectionHandler
{
    // 512 bytes of IRC line plus the 8191 a client's message tags may take.
    private const int MaxLineBytes = 512 + 8191;

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var peer = connection.RemoteEndPoint as IPEndPoint;
        var output = new IrcOutput(connection.Transport.Output);
        var admission = connections.TryAdmit(peer, out var lease);
        if (admission != Admission.Admitted)
        {
            await output.WriteAsync($"ERROR :{ChatConnections.DescribeRefusal(admission)}").ConfigureAwait(false);
            return;
        }

        using (lease)
        {
            var client = new IrcClient(server, output, peer, new AbortConnection(connection));
            try
            {
                await ReadLinesAsync(connection.Transport.Input, client, connection.ConnectionClosed).ConfigureAwait(false);
            }
            catch (Exception e) when (ChatConnections.IsPeerGone(e))
            {
            }
            finally
            {
                await client.EndAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task ReadLinesAsync(PipeReader input, IrcClient client, CancellationToken closed)
    {
        var skipping = false; // past the limit: the rest of that line is dropped
        while (true)
        {
            var result = await input.ReadAsync(closed).ConfigureAwait(false);
            var buffer = result.Buffer;
            while (buffer.PositionOf((byte)'\n') is { } end)
            {
                var line = buffer.Slice(0, end);
                buffer = buffer.Slice(buffer.GetPosition(1, end));
                if (skipping)
                {
                    skipping = false;
                    continue;
                }

                if (line.Length > MaxLineBytes)
                {
                    await client.TooLongAsync().ConfigureAwait(false);
                    continue;
                }

                if (!await client.HandleAsync(Decode(line)).ConfigureAwait(false))
                {
                    return;
                }
            }

            if (!skipping && buffer.Length > MaxLineBytes)
            {
                skipping = true;
                await client.TooLongAsync().ConfigureAwait(false);
            }

            input.AdvanceTo(skipping ? buffer.End : buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    // IRC has no declared encoding; UTF-8 is what modern clients send (an invalid byte becomes U+FFFD).
    private static string Decode(ReadOnlySequence<byte> line) => Encoding.UTF8.GetString(line).TrimEnd('\r');
}

/// <summary>Cuts an IRC connection off when its session is aborted (a slow reader, a flood).</summary>
internal sealed class AbortConnection(ConnectionContext connection) : IChatTransport
{
    public void CutOff() => connection.Abort();
}
