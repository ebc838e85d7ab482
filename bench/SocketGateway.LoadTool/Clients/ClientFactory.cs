namespace SocketGateway.LoadTool.Clients;

public static class ClientFactory
{
    public static readonly string[] Transports = ["tcp", "tcp-json", "tls", "irc", "ws", "signalr"];

    public static LoadClient Create(string transport, MeasureWindow window) => transport switch
    {
        "tcp" => new TcpLineClient(window, json: false),
        "tcp-json" => new TcpLineClient(window, json: true),
        "tls" => new TcpLineClient(window, json: false, tls: true),
        "irc" => new TcpLineClient(window, json: false, irc: true),
        "ws" => new WsLineClient(window),
        "signalr" => new SignalRClient(window),
        _ => throw new ArgumentException($"unknown transport '{transport}' (one of {string.Join(", ", Transports)})"),
    };

    /// <summary>Connects (and joins, when a room is given) <paramref name="count"/> clients, a bounded number at a time.</summary>
    public static async Task<LoadClient[]> ConnectManyAsync(
        string transport, int count, ServerEndpoint server, MeasureWindow window, string? room, int parallelism, CancellationToken cancellationToken)
    {
        var clients = new LoadClient[count];
        try
        {
            await ConnectAllAsync(clients, transport, server, window, room, parallelism, cancellationToken);
        }
        catch
        {
            // Leave no half-open crowd behind when one client fails to connect.
            await Task.WhenAll(clients.Where(c => c is not null).Select(c => c.DisposeAsync().AsTask()));
            throw;
        }

        return clients;
    }

    private static Task ConnectAllAsync(
        LoadClient[] clients, string transport, ServerEndpoint server, MeasureWindow window, string? room, int parallelism, CancellationToken cancellationToken) =>
        Parallel.ForAsync(0, clients.Length, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var client = Create(transport, window);
            clients[i] = client;
            await client.ConnectAsync(server, ct);
            if (room is not null)
            {
                await client.JoinAsync(room, ct);
            }
        });
}
