using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SocketGateway.Core;
using SocketGateway.Core.Events;
using SocketGateway.Core.Sessions;
using SocketGateway.LineProtocol;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Tcp;

/// <summary>
/// The line input on a pipe that already holds many lines: once the member is cut off (as a slow consumer), nothing
/// more of what it sent is acted on, however much was buffered. Both drivers of the same steps: TCP's, driven from
/// each read's completion (<see cref="LineConnection.Start"/>), and the awaiting one of <c>/ws</c>.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class TcpAbortedReaderTests(GatewayFixture fixture)
{
    [Theory]
    [InlineData("tcp")]
    [InlineData("ws")]
    public async Task Lines_already_buffered_are_not_executed_after_the_member_is_cut_off(string driver)
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
            var quit = driver == "tcp"
                ? await StartAsync(lines, session, input.Reader)
                : await lines.ReadAsync(session, input.Reader, LineInputGuards.Tcp, CancellationToken.None).WaitAsync(Timeouts.Step);
            Assert.False(quit);
            Assert.DoesNotContain(session.Rooms, r => r.StartsWith(room, StringComparison.Ordinal));
            Assert.Equal(nick, session.Nick);
        }
        finally
        {
            chat.Disconnect(session, LeftReasons.Disconnected);
        }
    }

    private static async Task<bool> StartAsync(LineConnection lines, ChatSession session, PipeReader input)
    {
        var owner = new EndRecorder();
        lines.Start(session, input, LineInputGuards.Tcp, owner, CancellationToken.None);
        var (quit, error) = await owner.Ended.Task.WaitAsync(Timeouts.Step);
        Assert.Null(error);
        return quit;
    }

    private sealed class EndRecorder : ILineInputOwner
    {
        public TaskCompletionSource<(bool Quit, Exception? Error)> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void InputEnded(bool quit, Exception? error) => Assert.True(Ended.TrySetResult((quit, error)), "the input ended twice");
    }
}
