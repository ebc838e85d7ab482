using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using SocketGateway.Core;
using SocketGateway.Hosting;

namespace SocketGateway.Api;

/// <summary>
/// Mutations need the admin key in <c>X-Api-Key</c> when one is configured; without a key they are accepted
/// from loopback only, so a gateway exposed by mistake cannot be administered from outside.
/// </summary>
public sealed class AdminAccessFilter(IOptions<GatewayOptions> options) : IEndpointFilter
{
    public const string HeaderName = "X-Api-Key";

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = options.Value.AdminApiKey;
        if (!string.IsNullOrEmpty(key))
        {
            return KeyMatches(http.Request.Headers[HeaderName].ToString(), key)
                ? next(context)
                : ValueTask.FromResult<object?>(ApiErrors.Problem(ErrorCodes.Unauthorized, $"a valid {HeaderName} header is required"));
        }

        return IsLoopback(http.Connection.RemoteIpAddress)
            ? next(context)
            : ValueTask.FromResult<object?>(ApiErrors.Problem(ErrorCodes.Forbidden,
                "without an admin key, changes are accepted from loopback only", StatusCodes.Status403Forbidden));
    }

    /// <summary>True when an admin key is configured and the request carries it.</summary>
    public static bool HasValidKey(HttpRequest request, string? key) =>
        !string.IsNullOrEmpty(key) && KeyMatches(request.Headers[HeaderName].ToString(), key);

    public static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static bool KeyMatches(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
}
