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

        // A provider's own rule (Logging:Console:LogLevel:…) would win over the ones above: each provider any rule
        // names gets the same rules of its own, added after the configuration's.
        logging.Services.PostConfigure<LoggerFilterOptions>(options =>
        {
            foreach (var provider in options.Rules.Select(r => r.ProviderName).OfType<string>().Distinct(StringComparer.Ordinal).ToList())
            {
                foreach (var category in Categories)
                {
                    options.Rules.Add(new LoggerFilterRule(provider, category, LogLevel.Warning, null));
                }
            }
        });
        return logging;
    }
}
