using SocketGateway.Core.Bridges;

namespace SocketGateway.Hosting;

public static partial class StartupLog
{
    /// <summary>With port 0 the ports are chosen at start; say which, so a user (or a script) can connect.</summary>
    public static WebApplication LogListenersOnStart(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var endpoints = app.Services.GetRequiredService<GatewayEndpoints>();
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SocketGateway");
            Listening(logger, endpoints.HttpPort, endpoints.TcpPort, OffOr(endpoints.TcpTlsPort), OffOr(endpoints.IrcPort), OffOr(endpoints.IrcTlsPort));
            foreach (var (device, port) in endpoints.Devices.OrderBy(d => d.Device.Index).Select(d => d.Device).Zip(endpoints.DevicePorts))
            {
                DevicePortListening(logger, port, device.Room, device.Nick, device.Framing.Name());
            }
        });
        return app;
    }

    private static string OffOr(int port) => port == 0 ? "off" : port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // Later ports go at the end: scripts read the line by its start (bench/SocketGateway.LoadTool/ServerProcess).
    [LoggerMessage(Level = LogLevel.Information, Message = "SocketGateway listening: http port {HttpPort}, tcp port {TcpPort}, tls port {TlsPort}, irc port {IrcPort}, irc tls port {IrcTlsPort}")]
    private static partial void Listening(ILogger logger, int httpPort, int tcpPort, string tlsPort, string ircPort, string ircTlsPort);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device port {Port}: frames ({Framing}) are messages in {Room} as {Nick}")]
    private static partial void DevicePortListening(ILogger logger, int port, string room, string nick, string framing);
}
