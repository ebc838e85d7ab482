namespace SocketGateway.Hosting;

/// <summary>The <c>Gateway</c> configuration section (appsettings or <c>Gateway__...</c> environment variables).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    public string BindAddress { get; set; } = "127.0.0.1";

    public HttpListenerOptions Http { get; set; } = new();

    public TcpListenerOptions Tcp { get; set; } = new();

    public IrcListenerOptions Irc { get; set; } = new();

    public BridgeOptions Bridges { get; set; } = new();

    /// <summary>Device ports (<c>Gateway:Listeners:N:Port|Room|Framing|Nick</c>), each bound to one room.</summary>
    public List<DeviceListenerOptions> Listeners { get; set; } = [];

    public string? AdminApiKey { get; set; }

    public SwaggerSettings Swagger { get; set; } = new();

    /// <summary>Origins, besides the gateway's own, whose pages may open /ws and /hubs/chat (exact match).</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Proxies (addresses or CIDR ranges) whose PROXY protocol header and forwarded headers are believed.</summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>Largest REST request body in bytes (0: Kestrel's own limit).</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Where the page is served from; found next to the sources or the binaries when not set.</summary>
    public string? WebRoot { get; set; }
}

public sealed class HttpListenerOptions
{
    public int Port { get; set; } = 8080;
}

public sealed class IrcListenerOptions
{
    /// <summary>The IRC listener's port: unset, off; 0, a free port.</summary>
    public int? Port { get; set; }

    /// <summary>The TLS IRC port (the TCP TLS port's certificate): unset, off; 0, a free port.</summary>
    public int? TlsPort { get; set; }

    /// <summary>The message of the day sent after registration (none: 422).</summary>
    public string? Motd { get; set; }

    /// <summary>Seconds without a line from a client before it is sent a PING; as many again without one and it is closed.</summary>
    public double PingSeconds { get; set; } = 90;

    /// <summary>Seconds a new connection has to register (NICK, USER, and CAP END when it negotiates).</summary>
    public double RegistrationTimeoutSeconds { get; set; } = 30;
}

public sealed class BridgeOptions
{
    /// <summary>
    /// The targets a bridge may connect to: addresses, CIDR ranges, host names (resolved at each connect) or
    /// <c>loopback</c>. Empty: loopback only.
    /// </summary>
    public string[] AllowedHosts { get; set; } = [];

    /// <summary>The wait before the first reconnect; each failure in a row doubles it, up to <see cref="MaxBackoffSeconds"/>.</summary>
    public double InitialBackoffSeconds { get; set; } = 1;

    public double MaxBackoffSeconds { get; set; } = 30;

    public double ConnectTimeoutSeconds { get; set; } = 10;
}

public sealed class DeviceListenerOptions
{
    /// <summary>The port (0: a free one).</summary>
    public int? Port { get; set; }

    public string? Room { get; set; }

    public string? Framing { get; set; }

    /// <summary>The nick of the first connection; the others are <c>Nick-2</c>, <c>Nick-3</c>… (the first free).</summary>
    public string? Nick { get; set; }
}

public sealed class TcpListenerOptions
{
    public int Port { get; set; } = 5555;

    public int TlsPort { get; set; } = 5556;

    /// <summary>Seconds of silence before TCP keep-alive probes start (0 turns keep-alive off).</summary>
    public int KeepAliveSeconds { get; set; } = 60;

    /// <summary>Seconds a trusted proxy has to send its PROXY protocol header before the connection is closed.</summary>
    public double ProxyHeaderTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// Milliseconds a new connection that has sent nothing waits before its welcome, so that a scanner's HTTP
    /// request or an untrusted PROXY header is refused before it is a lobby member (0: welcome at once, and such
    /// input is refused after the welcome). A client that sends first is decided at its first bytes.
    /// </summary>
    public int ProbeWindowMilliseconds { get; set; } = 200;

    public CertificateSettings Certificate { get; set; } = new();
}

public sealed class CertificateSettings
{
    public string? Path { get; set; }

    public string? Password { get; set; }
}

public sealed class SwaggerSettings
{
    public bool Enabled { get; set; } = true;
}
