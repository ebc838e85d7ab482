using System.Net.Http.Json;
using System.Text.Json;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Tcp;

/// <summary>Shorthands for the line-protocol tests (TCP and /ws alike).</summary>
public static class LineClientExtensions
{
    /// <summary>
    /// Sends a line, then a /ping, and returns what came before the pong: the replies to the line. Replies go through
    /// the session's own queue, so this needs no quiet period.
    /// </summary>
    public static async Task<List<string>> CommandAsync(this LineClient client, string line)
    {
        await client.SendAsync(line);
        return await client.SyncAsync();
    }

    /// <summary>Like <see cref="CommandAsync"/> but without the lobby's presence chatter.</summary>
    public static async Task<List<string>> RepliesAsync(this LineClient client, string line) =>
        [.. (await client.CommandAsync(line)).Where(l => !l.StartsWith("[lobby] ", StringComparison.Ordinal))];

    /// <summary>Sends a line that must fail with exactly one error of the given code; returns the error line.</summary>
    public static async Task<string> ExpectErrorAsync(this LineClient client, string line, string code)
    {
        var replies = await client.RepliesAsync(line);
        var errors = replies.Where(l => l.StartsWith("! ", StringComparison.Ordinal)).ToList();
        var error = Assert.Single(errors);
        Assert.StartsWith($"! {code}: ", error);
        Assert.True(error.Length > $"! {code}: ".Length, $"the error has no text: {error}");
        return error;
    }

    /// <summary>Joins (or creates) a room and waits for the own join notice.</summary>
    public static async Task JoinAsync(this LineClient client, string room)
    {
        await client.SendAsync($"/join {room}");
        await client.ReadUntilAsync(l => l.StartsWith($"[{room}] -> {client.Nick} joined (", StringComparison.Ordinal));
    }

    /// <summary>Reads until the server closes the connection (lines before that are skipped).</summary>
    public static async Task AssertClosedAsync(this LineClient client, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeouts.Step);
        while (await client.ReadLineAsync(Max(deadline - DateTime.UtcNow)) is not null)
        {
        }

        await client.Closed.WaitAsync(Max(deadline - DateTime.UtcNow));
    }

    /// <summary>Sets a room's topic through the REST API, as an administrator would.</summary>
    public static async Task SetTopicAsync(this GatewayHost host, string room, string? topic)
    {
        using var http = host.CreateHttpClient();
        using var response = await http.PatchAsJsonAsync($"api/rooms/{room}", new { topic });
        Assert.True(response.IsSuccessStatusCode, $"PATCH {room}: {(int)response.StatusCode}");
    }

    public static async Task KickAsync(this GatewayHost host, string room, string nick)
    {
        using var http = host.CreateHttpClient();
        using var response = await http.DeleteAsync($"api/rooms/{room}/members/{nick}");
        Assert.True(response.IsSuccessStatusCode, $"kick {nick} from {room}: {(int)response.StatusCode}");
    }

    public static async Task CloseRoomAsync(this GatewayHost host, string room, string reason)
    {
        using var http = host.CreateHttpClient();
        using var response = await http.DeleteAsync($"api/rooms/{room}?reason={Uri.EscapeDataString(reason)}");
        Assert.True(response.IsSuccessStatusCode, $"close {room}: {(int)response.StatusCode}");
    }

    /// <summary>The property names of a JSON object, sorted, for comparing shapes.</summary>
    public static string[] Shape(this JsonElement element) =>
        [.. element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

    private static TimeSpan Max(TimeSpan left) => left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1);
}
