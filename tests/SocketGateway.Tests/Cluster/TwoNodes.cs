using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Cluster;

/// <summary>
/// A cluster of two real gateway processes on one private redis-server and one PostgreSQL database (the server
/// ./test.sh started): what a deployment behind a load balancer is, with a test talking to each node directly.
/// </summary>
public sealed class TwoNodes : IAsyncDisposable
{
    public const int NodeTimeoutSeconds = 3;

    private readonly List<IAsyncDisposable> _clients = [];
    private string _database = "";

    private TwoNodes(RedisServer redis) => Redis = redis;

    public RedisServer Redis { get; }

    public GatewayProcess A { get; private set; } = null!;

    public GatewayProcess B { get; private set; } = null!;

    /// <param name="more">Settings for both nodes besides the cluster's own (environment variable names).</param>
    public static async Task<TwoNodes> StartAsync(IReadOnlyDictionary<string, string>? more = null)
    {
        var nodes = new TwoNodes(await RedisServer.StartAsync());
        try
        {
            nodes._database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
            // One after the other: the first creates the schema, the second finds it.
            nodes.A = await StartNodeAsync(nodes.Redis, nodes._database, "node-a", more);
            nodes.B = await StartNodeAsync(nodes.Redis, nodes._database, "node-b", more);
            return nodes;
        }
        catch
        {
            await nodes.DisposeAsync();
            throw;
        }
    }

    public static Task<GatewayProcess> StartNodeAsync(RedisServer redis, string database, string name, IReadOnlyDictionary<string, string>? more = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Gateway__Storage__Provider"] = "postgres",
            ["ConnectionStrings__Redis"] = redis.Configuration,
            ["Gateway__Cluster__NodeName"] = name,
            ["Gateway__Cluster__NodeTimeoutSeconds"] = NodeTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway__Auth__SigningKey"] = Identity.TestTokens.SigningKey,
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        return GatewayProcess.StartAsync(database, settings);
    }

    public async Task<LineClient> TcpAsync(GatewayProcess node, string nick)
    {
        var client = await node.ConnectTcpAsync();
        _clients.Add(client);
        await client.LoginAsync(nick);
        return client;
    }

    public async Task<LineClient> WebSocketAsync(GatewayProcess node, string nick)
    {
        var client = await LineClient.ConnectWebSocketAsync(new Uri($"ws://127.0.0.1:{node.HttpPort}/ws"));
        _clients.Add(client);
        await client.LoginAsync(nick);
        return client;
    }

    public async Task<HubClient> HubAsync(GatewayProcess node, string nick)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri($"http://127.0.0.1:{node.HttpPort}/hubs/chat"), HttpTransportType.WebSockets, options => options.SkipNegotiation = true)
            .Build();
        var client = new HubClient(connection);
        _clients.Add(client);
        await client.StartAsync();
        await client.Connection.InvokeAsync<string>("SetNick", nick).WaitAsync(Timeouts.Step);
        client.Nick = nick;
        return client;
    }

    /// <summary>A browser that signs in at connect (<c>access_token</c>), as the website's page does.</summary>
    public async Task<HubClient> SignedInHubAsync(GatewayProcess node, string token)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri($"http://127.0.0.1:{node.HttpPort}/hubs/chat"), HttpTransportType.WebSockets, options =>
            {
                options.SkipNegotiation = true;
                options.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
        var client = new HubClient(connection);
        _clients.Add(client);
        await client.StartAsync();
        return client;
    }

    public static HttpClient Http(GatewayProcess node) => new() { BaseAddress = new Uri($"http://127.0.0.1:{node.HttpPort}/"), Timeout = Timeouts.Step };

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        if (A is not null)
        {
            await A.DisposeAsync();
        }

        if (B is not null)
        {
            await B.DisposeAsync();
        }

        await Redis.DisposeAsync();
        if (_database.Length > 0)
        {
            await (await PostgresServer.GetAsync()).DropDatabaseAsync(_database);
        }
    }
}
