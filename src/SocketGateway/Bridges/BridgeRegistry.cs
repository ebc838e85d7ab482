using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SocketGateway.Core;
using SocketGateway.Core.Bridges;
using SocketGateway.Core.Cluster;
using SocketGateway.Core.Names;
using SocketGateway.Core.Storage;
using SocketGateway.Hosting;

namespace SocketGateway.Bridges;

/// <summary>What <c>POST /api/bridges</c> takes.</summary>
public sealed record CreateBridgeRequest(string? Room, string? Host, int? Port, string? Framing, string? Nick);

/// <summary>
/// The gateway's bridges: kept in the store, made and removed by the API, each kept connected by a
/// <see cref="BridgeRunner"/> on the node that holds its lease (<see cref="IBridgeLeases"/>: on a single node, this
/// one). In a cluster each node looks again every third of the lease term: it renews its own leases (and stops a
/// bridge whose lease it lost, or that was removed on another node), takes free ones (a bridge made elsewhere, or one
/// whose node died), and publishes what its bridges are doing.
/// </summary>
public sealed partial class BridgeRegistry(
    ChatService chat,
    IBridgeStore store,
    IBridgeLeases leases,
    IOptions<GatewayOptions> options,
    ThisNode node,
    TimeProvider time,
    ILoggerFactory loggers) : IHostedService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, BridgeRunner> _runners = new(StringComparer.Ordinal);
    private readonly BridgeTargets _targets = new(options.Value.Bridges.AllowedHosts);
    private readonly BridgeSettings _settings = BridgeSettings.From(options.Value.Bridges);
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger = loggers.CreateLogger<BridgeRegistry>();
    private readonly ILogger _runnerLogger = loggers.CreateLogger<BridgeRunner>();
    private Task _sweeping = Task.CompletedTask;
    private bool _stopped; // under _changes

    /// <summary>How many of this node's bridges are in each state, for the gauge.</summary>
    public IEnumerable<(string State, int Count)> CountByState() =>
        _runners.Values.Select(r => r.State).GroupBy(state => state).Select(g => (g.Key, g.Count()));

    /// <summary>Every bridge, oldest first: this node's as they are now, other nodes' as their holders last published.</summary>
    public async Task<IReadOnlyList<BridgeInfo>> ListAsync(CancellationToken cancellationToken)
    {
        var stored = await store.ListBridgesAsync(cancellationToken).ConfigureAwait(false);
        var elsewhere = stored.Where(b => !_runners.ContainsKey(b.Id)).Select(b => b.Id).ToList();
        var published = await leases.ReadStatesAsync(elsewhere, cancellationToken).ConfigureAwait(false);
        return [.. stored.Select(b => Describe(b, published))];
    }

    public async Task<BridgeInfo?> FindAsync(string id, CancellationToken cancellationToken)
    {
        if (_runners.TryGetValue(id, out var runner))
        {
            return runner.Describe(NodeName);
        }

        var stored = (await store.ListBridgesAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(b => b.Id == id);
        return stored is null ? null : Describe(stored, await leases.ReadStatesAsync([id], cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Checks the request (bad_argument, invalid_room, invalid_nick; forbidden for a target outside the allowed hosts,
    /// nick_taken for another bridge's nick), stores the bridge and starts it here.
    /// </summary>
    public async Task<BridgeInfo> CreateAsync(CreateBridgeRequest request, CancellationToken cancellationToken)
    {
        var room = RoomName.Require(request.Room);
        var nick = NickName.Require(request.Nick);
        var framing = Framings.Require(request.Framing);
        var host = BridgeTargets.RequireHost(request.Host);
        if (request.Port is not (>= 1 and <= 65535))
        {
            throw new ChatException(ErrorCodes.BadArgument, "port must be 1-65535");
        }

        // What would only fail at every connect, refused now: a bridge joins as a guest under its own nick.
        if (chat.Rooms.TryGet(room, out var existing) && existing.IsPrivate)
        {
            throw new ChatException(ErrorCodes.Forbidden, $"{room} is a private room; a bridge joins as a guest and may not join it");
        }

        using (var resolving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            resolving.CancelAfter(_settings.ConnectTimeout);
            await _targets.ResolveAsync(host, resolving.Token).ConfigureAwait(false);
        }

        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            var stored = await store.ListBridgesAsync(cancellationToken).ConfigureAwait(false);
            if (stored.Any(b => string.Equals(b.Nick, nick, StringComparison.OrdinalIgnoreCase)))
            {
                throw new ChatException(ErrorCodes.NickTaken, $"another bridge speaks as {nick}");
            }

            if (chat.Nicks.IsTaken(nick) || await chat.IsReservedForAccountAsync(nick).ConfigureAwait(false))
            {
                throw new ChatException(ErrorCodes.NickTaken, $"{nick} is a user's nick");
            }

            var definition = new BridgeDefinition(NewId(), room, host, request.Port.Value, framing, nick, UtcNow());
            // Stored first: a bridge the API confirmed comes back after a restart (the store refuses a nick another
            // node's bridge took meanwhile).
            var saved = ToStored(definition);
            await store.SaveBridgeAsync(saved, cancellationToken).ConfigureAwait(false);
            // Stored is made: if Redis cannot give the lease now, a node takes it at its next look.
            return await HoldsAsync(definition.Id, cancellationToken).ConfigureAwait(false)
                ? Start(definition).Describe(NodeName)
                : Describe(saved, new Dictionary<string, string>());
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>
    /// Forgets a bridge and stops it: here at once, on another node at its next look (its member leaves the room);
    /// false if there is none of that id.
    /// </summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_runners.ContainsKey(id) && !(await store.ListBridgesAsync(cancellationToken).ConfigureAwait(false)).Any(b => b.Id == id))
            {
                return false;
            }

            await store.DeleteBridgeAsync(id, cancellationToken).ConfigureAwait(false);
            await StopBridgeAsync(id, cancellationToken).ConfigureAwait(false);
            Log.Removed(_logger, id);
            return true;
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Starts the stored bridges (on a cluster node, those whose lease it takes): they come back after a restart.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await SweepAsync(cancellationToken).ConfigureAwait(false);
        if (leases.Term is { } term)
        {
            _sweeping = SweepEveryAsync(term / 3, _stopping.Token);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _sweeping.ConfigureAwait(false);
        await _changes.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            // No create or look starts a bridge after this.
            _stopped = true;
            foreach (var id in _runners.Keys)
            {
                await StopBridgeAsync(id, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            _changes.Release();
        }
    }

    private async Task SweepEveryAsync(TimeSpan interval, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                await SweepAsync(stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The gateway is stopping.
        }
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_stopped)
            {
                return;
            }

            IReadOnlyList<StoredBridge>? stored;
            try
            {
                stored = await store.ListBridgesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The store is away from this node: its bridges keep their leases (another node would otherwise take
                // them while they run here), and removals and new bridges wait for the next look.
                Log.SweepFailed(_logger, e);
                stored = null;
            }

            var ids = stored?.Select(b => b.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var (id, runner) in _runners)
            {
                if (ids is not null && !ids.Contains(id))
                {
                    await StopBridgeAsync(id, cancellationToken).ConfigureAwait(false);
                }
                else if (!await HoldsAsync(id, cancellationToken).ConfigureAwait(false))
                {
                    // Another node has it now (or Redis cannot say this one still does): two may never run it at once.
                    Log.LeaseLost(_logger, id);
                    await StopBridgeAsync(id, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await PublishAsync(runner, cancellationToken).ConfigureAwait(false);
                }
            }

            foreach (var bridge in (stored ?? []).Where(b => !_runners.ContainsKey(b.Id)))
            {
                if (FromStored(bridge) is not { } definition)
                {
                    Log.Unreadable(_logger, bridge.Id, bridge.Framing);
                }
                else if (await HoldsAsync(bridge.Id, cancellationToken).ConfigureAwait(false))
                {
                    await PublishAsync(Start(definition), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _changes.Release();
        }
    }

    private async Task<bool> HoldsAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return await leases.HoldAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LeaseFailed(_logger, id, e.Message);
            return false;
        }
    }

    // Only what other nodes show: a failure costs them a stale view, never this node its bridge.
    private async Task PublishAsync(BridgeRunner runner, CancellationToken cancellationToken)
    {
        if (leases.Term is null)
        {
            return;
        }

        try
        {
            await leases.PublishStateAsync(runner.Definition.Id, JsonSerializer.Serialize(runner.Describe(NodeName), Json), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LeaseFailed(_logger, runner.Definition.Id, e.Message);
        }
    }

    private async Task StopBridgeAsync(string id, CancellationToken cancellationToken)
    {
        if (_runners.TryRemove(id, out var runner))
        {
            try
            {
                await runner.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Its loop failed; the lease is given up all the same.
                Log.StopFailed(_logger, id, e);
            }

            try
            {
                await leases.ReleaseAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.LeaseFailed(_logger, id, e.Message);
            }
        }
    }

    private BridgeRunner Start(BridgeDefinition definition)
    {
        var runner = new BridgeRunner(definition, chat, _targets, _settings, time, _runnerLogger);
        _runners[definition.Id] = runner;
        runner.Start();
        return runner;
    }

    // Another node's bridge as its holder last published it; one nobody holds yet waits for a node to take it.
    private BridgeInfo Describe(StoredBridge bridge, IReadOnlyDictionary<string, string> published)
    {
        if (_runners.TryGetValue(bridge.Id, out var runner))
        {
            return runner.Describe(NodeName);
        }

        if (published.TryGetValue(bridge.Id, out var json))
        {
            try
            {
                if (JsonSerializer.Deserialize<BridgeInfo>(json, Json) is { } info)
                {
                    return info;
                }
            }
            catch (JsonException)
            {
                // Unreadable: shown as waiting, as one nobody holds.
            }
        }

        return new BridgeInfo(bridge.Id, bridge.Room, bridge.Host, bridge.Port, bridge.Framing, bridge.Nick, BridgeStates.Connecting,
            bridge.CreatedAt, null, null, 0, 0, 0, 0, 0, 0, 0, null);
    }

    private string? NodeName => node.IsNamed ? node.Name : null;

    private DateTimeOffset UtcNow() => Core.Events.UtcMillisecondsConverter.Truncate(time.GetUtcNow());

    private static StoredBridge ToStored(BridgeDefinition d) => new(d.Id, d.Room, d.Host, d.Port, d.Framing.Name(), d.Nick, d.CreatedAt);

    private static BridgeDefinition? FromStored(StoredBridge s) =>
        Framings.TryParse(s.Framing, out var framing) ? new BridgeDefinition(s.Id, s.Room, s.Host, s.Port, framing, s.Nick, s.CreatedAt) : null;

    private static string NewId() => "b-" + RandomNumberGenerator.GetHexString(8, lowercase: true);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Stored bridge {Id} has framing '{Framing}', which this gateway does not know; it is not started")]
        public static partial void Unreadable(ILogger logger, string id, string framing);

        [LoggerMessage(Level = LogLevel.Information, Message = "Bridge {Id} was removed")]
        public static partial void Removed(ILogger logger, string id);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Bridge {Id}: this node no longer holds its lease; stopped here")]
        public static partial void LeaseLost(ILogger logger, string id);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Bridge {Id}: its lease could not be renewed or released: {Reason}")]
        public static partial void LeaseFailed(ILogger logger, string id, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "Bridge {Id} failed while it was stopped")]
        public static partial void StopFailed(ILogger logger, string id, Exception exception);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the stored bridges failed; this node keeps its own and looks again")]
        public static partial void SweepFailed(ILogger logger, Exception exception);
    }
}
