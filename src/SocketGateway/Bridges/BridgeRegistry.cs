using System.Collections.Concurrent;
using System.Security.Cryptography;
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
/// The gateway's bridges: made and removed by the API, each kept connected by its <see cref="BridgeRunner"/>, all
/// stopped with the gateway.
/// </summary>
public sealed partial class BridgeRegistry(
    ChatService chat,
    IBridgeStore store,
    IOptions<GatewayOptions> options,
    ThisNode node,
    TimeProvider time,
    ILoggerFactory loggers) : IHostedService
{
    private readonly ConcurrentDictionary<string, BridgeRunner> _runners = new(StringComparer.Ordinal);
    private readonly BridgeTargets _targets = new(options.Value.Bridges.AllowedHosts);
    private readonly BridgeSettings _settings = BridgeSettings.From(options.Value.Bridges);
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly ILogger _logger = loggers.CreateLogger<BridgeRunner>();

    public IReadOnlyList<BridgeInfo> List() =>
        [.. _runners.Values.OrderBy(r => r.Definition.CreatedAt).ThenBy(r => r.Definition.Id, StringComparer.Ordinal).Select(r => r.Describe(NodeName))];

    public BridgeInfo? Find(string id) => _runners.TryGetValue(id, out var runner) ? runner.Describe(NodeName) : null;

    /// <summary>
    /// Checks the request (bad_argument, invalid_room, invalid_nick; forbidden for a target outside the allowed hosts,
    /// nick_taken for another bridge's nick) and starts the bridge.
    /// </summary>
    public async Task<BridgeInfo> CreateAsync(CreateBridgeRequest request, CancellationToken cancellationToken)
    {
        var room = RoomName.Require(request.Room);
        var nick = NickName.Require(request.Nick);
        var framing = Framings.Require(request.Framing);
        var host = request.Host?.Trim();
        if (string.IsNullOrEmpty(host) || host.Length > 253)
        {
            throw new ChatException(ErrorCodes.BadArgument, "host is required: a name or an address");
        }

        if (request.Port is not (>= 1 and <= 65535))
        {
            throw new ChatException(ErrorCodes.BadArgument, "port must be 1-65535");
        }

        await _targets.ResolveAsync(host, cancellationToken).ConfigureAwait(false);
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_runners.Values.Any(r => string.Equals(r.Definition.Nick, nick, StringComparison.OrdinalIgnoreCase)))
            {
                throw new ChatException(ErrorCodes.NickTaken, $"another bridge speaks as {nick}");
            }

            var definition = new BridgeDefinition(NewId(), room, host, request.Port.Value, framing, nick, UtcNow());
            // Stored first: a bridge the API confirmed comes back after a restart.
            await store.SaveBridgeAsync(ToStored(definition), cancellationToken).ConfigureAwait(false);
            var runner = Start(definition);
            return runner.Describe(NodeName);
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Stops a bridge (its member leaves the room) and forgets it; false if there is none of that id.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_runners.ContainsKey(id))
            {
                return false;
            }

            await store.DeleteBridgeAsync(id, cancellationToken).ConfigureAwait(false);
            if (_runners.TryRemove(id, out var runner))
            {
                await runner.DisposeAsync().ConfigureAwait(false);
            }

            return true;
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Starts the stored bridges: they come back after a restart.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var stored in await store.ListBridgesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (FromStored(stored) is { } definition)
            {
                Start(definition);
            }
            else
            {
                Log.Unreadable(_logger, stored.Id, stored.Framing);
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var id in _runners.Keys)
        {
            if (_runners.TryRemove(id, out var runner))
            {
                await runner.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private BridgeRunner Start(BridgeDefinition definition)
    {
        var runner = new BridgeRunner(definition, chat, _targets, _settings, time, _logger);
        _runners[definition.Id] = runner;
        runner.Start();
        return runner;
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
    }
}
