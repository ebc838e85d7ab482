using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using SocketGateway.Core;
using SocketGateway.Core.Limits;
using SocketGateway.Hosting;

namespace SocketGateway.Api;

/// <summary>
/// The message budget for REST posts, through the ASP.NET Core rate limiter: a token bucket per client address
/// (<c>MessageRate</c>/<c>MessageBurst</c>). Calls with the admin key, and from loopback while
/// <c>Gateway:Limits:ExemptLoopback</c> is on, are not budgeted. A refusal is 429 with Retry-After and code
/// <c>rate_limited</c>.
/// </summary>
public static class ApiRateLimiting
{
    public const string MessagesPolicy = "messages";

    public static IServiceCollection AddApiRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var seconds = (int)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await ApiErrors.Problem(ErrorCodes.RateLimited, $"too many messages; try again in {seconds} s")
                    .ExecuteAsync(context.HttpContext).ConfigureAwait(false);
            };
            options.AddPolicy(MessagesPolicy, Partition);
        });
        return services;
    }

    private static RateLimitPartition<string> Partition(HttpContext context)
    {
        var limits = context.RequestServices.GetRequiredService<GatewayLimits>();
        var gateway = context.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value;
        var address = context.Connection.RemoteIpAddress;
        var exempt = limits.MessageRate <= 0
            || (limits.ExemptLoopback && ClientAddress.IsLoopback(address))
            || AdminAccessFilter.HasValidKey(context.Request, gateway.AdminApiKey);
        if (exempt)
        {
            return RateLimitPartition.GetNoLimiter("exempt");
        }

        return RateLimitPartition.GetTokenBucketLimiter(ClientAddress.PartitionKey(address), _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, limits.MessageBurst),
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1 / limits.MessageRate),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }
}
