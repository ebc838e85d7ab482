using SocketGateway.Core.Events;
using SocketGateway.Core.Sessions;

namespace SocketGateway.Core.Tests.Sessions;

/// <summary>Every member of a room sees its events in one order, whatever publishes them at the same time.</summary>
public sealed class EventOrderTests
{
    [Fact]
    public async Task Nick_changes_and_messages_reach_every_member_in_the_same_order()
    {
        var chat = TestChat.Create(new GatewayLimits { OutboundQueueLength = 100_000, OutboundQueueBytes = 0, MessageRate = 0 });
        var talker = chat.Connect(Via.Tcp, remote: null);
        var renamer = chat.Connect(Via.Tcp, remote: null);
        var watchers = Enumerable.Range(0, 200).Select(_ => chat.Connect(Via.Tcp, remote: null)).ToList();
        foreach (var session in watchers.Append(talker).Append(renamer))
        {
            TestChat.Drain(session);
        }

        using var start = new Barrier(2);
        var talking = Task.Run(async () =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 2_000; i++)
            {
                await chat.SendAsync(talker, null, $"m{i}");
            }
        });
        var renaming = Task.Run(async () =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 1_000; i++)
            {
                await chat.SetNickAsync(renamer, $"r{i}");
            }
        });
        await Task.WhenAll(talking, renaming).WaitAsync(TimeSpan.FromSeconds(30));

        var seen = watchers.Select(w => string.Join(",", TestChat.Drain(w).Select(Describe))).ToList();
        Assert.Contains("r999", seen[0], StringComparison.Ordinal);
        var orders = seen.Distinct(StringComparer.Ordinal).Count();
        Assert.True(orders == 1, $"the {watchers.Count} members saw the room's events in {orders} different orders");
    }

    private static string Describe(ChatEvent evt) => evt switch
    {
        MessageEvent message => message.Text,
        NickEvent nick => nick.New,
        _ => evt.Type,
    };
}
