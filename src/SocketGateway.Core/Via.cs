namespace SocketGateway.Core;

/// <summary>How a member is connected, as shown by /who and the REST API.</summary>
public static class Via
{
    public const string Tcp = "tcp";
    public const string Web = "web";
    public const string WebSocket = "ws";
    public const string Api = "api";
    public const string Irc = "irc";

    /// <summary>A bridge to another socket service (POST /api/bridges).</summary>
    public const string Bridge = "bridge";

    /// <summary>A connection to a device port (Gateway:Listeners).</summary>
    public const string Device = "device";
}
