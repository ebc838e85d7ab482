using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SocketGateway.Core;
using SocketGateway.Core.Events;
using SocketGateway.LineProtocol;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Tcp;

/// <summary>
/// The gateway's own line reader on a pipe that already holds many lines: once the member is cut off (as a slow
/// consumer), nothing more of what it sent is acted on, however much was buffered.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class TcpAbortedReaderTests(GatewayFixture fixture)
{
    [Fact]
    public async Task Lines_already_buffered_are_not_executed_after_the_member_is_cut_off()
    {
        var chat = fixture.Host.Chat;
        var lines = fixture.Host.App.Services.GetRequiredService<LineConnection>();
        var session = chat.Connect(Via.Tcp, remote: null);
        var nick = session.Nick;
        var input = new Pipe();
        var room = GatewayFixture.Unique("cut");
        var buffered = new StringBuilder();
        for (var i = 0; i < 100; i++)
        {
            buffered.Append(i == 0 ? "/ping\n" : $"/join {room}{i}\n");
        }

        await input.Writer.WriteAsync(Encoding.UTF8.GetBytes(buffered.ToString()));
        await input.Writer.CompleteAsync();
        session.Abort();

        try
        {
            Assert.False(await lines.ReadAsync(session, input.Reader, LineInputGuards.Tcp, CancellationToken.None).WaitAsync(Timeouts.Step));
            Assert.DoesNotContain(session.Rooms, r => r.StartsWith(room, StringComparison.Ordinal));
            Assert.Equal(nick, session.Nick);
        }
        finally
        {
            chat.Disconnect(session, LeftReasons.Disconnected);
        }
    }
}
