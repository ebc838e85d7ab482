namespace SocketGateway.Hosting;

public static class TokenSafeLogging
{
    /// <summary>
    /// Framework categories whose detailed lines quote what carries a token: the request line with its query string (a
    /// browser's <c>access_token</c>) and a hub invocation's arguments (<c>Authenticate(token)</c>, and every chat text).
    /// Whatever level the configuration asks for, they log warnings and errors only.
    /// </summary>
    private static readonly string[] Categories =
    [
        "Microsoft.AspNetCore.Hosting.Diagnostics",
        "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher",
    ];

    public static ILoggingBuilder KeepTokensOutOfLogs(this ILoggingBuilder logging)
    {
        foreach (var category in Categories)
        {
            logging.AddFilter(category, level => level >= LogLevel.Warning);
        }

        return logging;
    }
}
