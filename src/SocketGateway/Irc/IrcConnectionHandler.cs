using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Connections;
using SocketGateway.Connections;
using SocketGateway.Core;
using SocketGateway.Core.Limits;
using SocketGateway.Core.Protocol;

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
            // Closed by ending the read loop, so that Kestrel sends the closing line before it closes the socket.
            using var liveness = new IrcLiveness(server, output, () => client.IsRegistered, connection.Transport.Input.CancelPendingRead);
            try
            {
                await ReadLinesAsync(connection.Transport.Input, client, liveness, output, connection.ConnectionClosed).ConfigureAwait(false);
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

    private static async Task ReadLinesAsync(PipeReader input, IrcClient client, IrcLiveness liveness, IrcOutput output, CancellationToken closed)
    {
        var skipping = false; // past the limit: the rest of that line is dropped
        var first = true;
        TelnetFilter? telnet = null; // made at the first IAC byte: IRC clients never send one
        while (true)
        {
            var result = await input.ReadAsync(closed).ConfigureAwait(false);
            var buffer = result.Buffer;
            while (buffer.PositionOf((byte)'\n') is { } end)
            {
                var line = buffer.Slice(0, end);
                buffer = buffer.Slice(buffer.GetPosition(1, end));
                liveness.Seen();
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

                var text = line.PositionOf(TelnetFilter.Iac) is null && telnet is null
                    ? Decode(line)
                    : await WithoutTelnetAsync(line, telnet ??= new TelnetFilter(), output).ConfigureAwait(false);
                if (first)
                {
                    first = false;
                    if (HttpProbe.IsRequestLine(text))
                    {
                        // A browser or a scanner: told in one line, and it never was a user.
                        await output.WriteAsync($"ERROR :{HttpRefusalText}", CancellationToken.None).ConfigureAwait(false);
                        return;
                    }
                }

                if (!await client.HandleAsync(text).ConfigureAwait(false))
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

    /// <summary>What the IRC port tells an HTTP request.</summary>
    public const string HttpRefusalText = "this port speaks IRC, not HTTP; closing";

    // A telnet client's negotiation is consumed (and refused), never read as IRC, as on the TCP port.
    private static async Task<string> WithoutTelnetAsync(ReadOnlySequence<byte> line, TelnetFilter telnet, IrcOutput output)
    {
        var bytes = line.ToArray();
        var data = new byte[bytes.Length + 2];
        var length = telnet.Filter(bytes, data);
        if (telnet.TakeReplies() is { Length: > 0 } replies)
        {
            await output.WriteBytesAsync(replies).ConfigureAwait(false);
        }

        return Decode(new ReadOnlySequence<byte>(data, 0, length));
    }

    // IRC has no declared encoding; UTF-8 is what modern clients send (an invalid byte becomes U+FFFD).
    private static string Decode(ReadOnlySequence<byte> line) => Encoding.UTF8.GetString(line).TrimEnd('\r');
}

/// <summary>Cuts an IRC connection off when its session is aborted (a slow reader, a flood).</summary>
internal sealed class AbortConnection(ConnectionContext connection) : IChatTransport
{
    public void CutOff() => connection.Abort();
}
