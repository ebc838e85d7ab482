using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;

namespace SocketGateway.Tests.Infrastructure;

/// <summary>The official SignalR .NET client, with every contract event queued for the test to await.</summary>
public sealed class HubClient(HubConnection connection) : IAsyncDisposable
{
    public static readonly string[] EventNames =
        ["welcome", "message", "action", "joined", "left", "private", "nick", "roomClosed", "roomUpdated", "history", "resumed"];

    private readonly Channel<(string Name, JsonElement Payload)> _events = Channel.CreateUnbounded<(string, JsonElement)>();

    public HubConnection Connection { get; } = connection;

    public string Nick { get; set; } = "";

    /// <summary>The <c>welcome</c> this connection started with.</summary>
    public JsonElement Welcome { get; private set; }

    public async Task StartAsync()
    {
        foreach (var name in EventNames)
        {
            Connection.On<JsonElement>(name, payload => _events.Writer.TryWrite((name, payload.Clone())));
        }

        await Connection.StartAsync().WaitAsync(Timeouts.Step);
        Welcome = await NextAsync("welcome");
        Nick = Welcome.GetProperty("nick").GetString()!;
    }

    /// <summary>Skips events until one of this name (and matching) arrives.</summary>
    public async Task<JsonElement> NextAsync(string name, Func<JsonElement, bool>? match = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Timeouts.Step);
        var seen = new List<string>();
        try
        {
            while (true)
            {
                var (eventName, payload) = await _events.Reader.ReadAsync(cts.Token);
                if (eventName == name && (match?.Invoke(payload) ?? true))
                {
                    return payload;
                }

                seen.Add($"{eventName}: {payload}");
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no '{name}' event arrived; got:\n" + string.Join("\n", seen));
        }
    }

    /// <summary>
    /// Reads events until one of this name (and matching) arrives and returns every event before it: with a marker
    /// sent after the action under test, "no such event arrived" needs no sleep.
    /// </summary>
    public async Task<List<(string Name, JsonElement Payload)>> EventsUntilAsync(string name, Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Timeouts.Step);
        var seen = new List<(string Name, JsonElement Payload)>();
        try
        {
            while (true)
            {
                var (eventName, payload) = await _events.Reader.ReadAsync(cts.Token);
                if (eventName == name && match(payload))
                {
                    return seen;
                }

                seen.Add((eventName, payload));
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no '{name}' event arrived; got:\n" + string.Join("\n", seen.Select(e => $"{e.Name}: {e.Payload}")));
        }
    }

    public Task<T> InvokeAsync<T>(string method, params object?[] args) =>
        Connection.InvokeCoreAsync<T>(method, args).WaitAsync(Timeouts.Step);

    public Task InvokeAsync(string method, params object?[] args) =>
        Connection.InvokeCoreAsync(method, args).WaitAsync(Timeouts.Step);

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
