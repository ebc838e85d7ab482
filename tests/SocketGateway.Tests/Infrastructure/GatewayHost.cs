using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SocketGateway.Core;
using SocketGateway.Hosting;

namespace SocketGateway.Tests.Infrastructure;

/// <summary>The real gateway on real Kestrel sockets, every listener on port 0.</summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _clients = [];

    private GatewayHost(WebApplication app, string? databasePath)
    {
        App = app;
        DatabasePath = databasePath;
        var endpoints = app.Services.GetRequiredService<GatewayEndpoints>();
        HttpPort = endpoints.HttpPort;
        TcpPort = endpoints.TcpPort;
        TlsPort = endpoints.TcpTlsPort;
        IrcPort = endpoints.IrcPort;
        IrcTlsPort = endpoints.IrcTlsPort;
        DevicePorts = endpoints.DevicePorts;
        Address = System.Net.IPAddress.Parse(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GatewayOptions>>().Value.BindAddress);
        HttpUri = new Uri($"http://{UriHost}:{HttpPort}/");
    }

    public WebApplication App { get; }

    /// <summary>The loopback address every listener is bound to (<c>Gateway:BindAddress</c>, 127.0.0.1 unless set).</summary>
    public System.Net.IPAddress Address { get; }

    private string UriHost => Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]" : Address.ToString();

    /// <summary>The host's own SQLite file (a fresh one unless the settings name one), or null for the memory store.</summary>
    public string? DatabasePath { get; }

    /// <summary>A connection string to a new, empty database file of its own.</summary>
    public static string NewDatabase(out string path)
    {
        var directory = Path.Combine(Path.GetTempPath(), "socketgateway-tests");
        Directory.CreateDirectory(directory);
        path = Path.Combine(directory, $"{Guid.NewGuid():N}.db");
        return $"Data Source={path}";
    }

    public int HttpPort { get; }

    public int TcpPort { get; }

    public int TlsPort { get; }

    /// <summary>0 unless the settings open the IRC listener (<c>Gateway:Irc:Port</c>).</summary>
    public int IrcPort { get; }

    public int IrcTlsPort { get; }

    /// <summary>The bound device ports (<c>Gateway:Listeners:N</c>), in configuration order.</summary>
    public IReadOnlyList<int> DevicePorts { get; }

    public Uri HttpUri { get; }

    public ChatService Chat => App.Services.GetRequiredService<ChatService>();

    /// <param name="settings">Configuration keys over the test defaults.</param>
    /// <param name="logging">Adds logging providers (the host has none otherwise), e.g. to capture errors.</param>
    public static async Task<GatewayHost> StartAsync(IDictionary<string, string?>? settings = null, Action<ILoggingBuilder>? logging = null)
    {
        var config = new Dictionary<string, string?>
        {
            ["Gateway:Http:Port"] = "0",
            ["Gateway:Tcp:Port"] = "0",
            ["Gateway:Limits:MessageRate"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        string? databasePath = null;
        if (settings is null || !settings.ContainsKey("ConnectionStrings:Gateway"))
        {
            config["ConnectionStrings:Gateway"] = NewDatabase(out var path);
            databasePath = path;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var app = GatewayApp.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(config);
            builder.Logging.ClearProviders();
            logging?.Invoke(builder.Logging);
        });
        await app.StartAsync().WaitAsync(Timeouts.Start);
        return new GatewayHost(app, databasePath);
    }

    public async Task<LineClient> ConnectTcpAsync(string? nick = null)
    {
        var client = await LineClient.ConnectTcpAsync(TcpPort, Address);
        _clients.Add(client);
        if (nick is not null)
        {
            await client.LoginAsync(nick);
        }

        return client;
    }

    public async Task<LineClient> ConnectWebSocketAsync(string? nick = null, Action<System.Net.WebSockets.ClientWebSocketOptions>? configure = null)
    {
        var client = await LineClient.ConnectWebSocketAsync(new Uri($"ws://{UriHost}:{HttpPort}/ws"), configure);
        _clients.Add(client);
        if (nick is not null)
        {
            await client.LoginAsync(nick);
        }

        return client;
    }

    /// <param name="token">Signs in at connect: sent as <c>access_token</c>, as a browser's client does on a WebSocket.</param>
    /// <param name="socket">The connection's socket, for a test that cuts it.</param>
    public async Task<HubClient> ConnectHubAsync(string? nick = null, string? token = null, DroppableSocket? socket = null)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(HttpUri, "hubs/chat"), HttpTransportType.WebSockets, options =>
            {
                options.SkipNegotiation = true;
                if (token is not null)
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                }

                if (socket is not null)
                {
                    options.WebSocketFactory = socket.ConnectAsync;
                }
            })
            .Build();
        var client = new HubClient(connection);
        _clients.Add(client);
        await client.StartAsync();
        if (nick is not null)
        {
            await client.Connection.InvokeAsync<string>("SetNick", nick).WaitAsync(Timeouts.Step);
            client.Nick = nick;
        }

        return client;
    }

    /// <summary>Until the gateway holds this many dropped sessions for a resume.</summary>
    /// <remarks>A drop is noticed by the server on its own schedule; there is no event for a test to await.</remarks>
    public async Task WaitUntilHeldAsync(int held)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Step);
        while (Chat.HeldSessions != held)
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    public HttpClient CreateHttpClient() => new() { BaseAddress = HttpUri, Timeout = Timeouts.Step };

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        await App.StopAsync().WaitAsync(Timeouts.Stop);
        await App.DisposeAsync();
        if (DatabasePath is not null)
        {
            foreach (var file in new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm" })
            {
                File.Delete(file);
            }
        }
    }
}
