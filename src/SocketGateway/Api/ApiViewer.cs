using Microsoft.Extensions.Options;
using SocketGateway.Core.Identity;
using SocketGateway.Hosting;
using SocketGateway.Identity;

namespace SocketGateway.Api;

/// <summary>
/// Who reads the REST API, for private rooms: the admin key (<c>X-Api-Key</c>) sees every room; a website's token
/// (<c>Authorization: Bearer</c>) sees what its account may join; anyone else the public rooms. Loopback alone is no
/// admin here: it may change rooms without a key, but a read from it shows no private room (docs/IDENTITY.md).
/// </summary>
public static class ApiViewer
{
    public static async ValueTask<Viewer> OfAsync(HttpContext http)
    {
        var key = http.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.AdminApiKey;
        if (AdminAccessFilter.HasValidKey(http.Request, key))
        {
            return Viewer.Administrator;
        }

        if (HubSignIn.BearerToken(http.Request) is not { } token)
        {
            return Viewer.Anonymous;
        }

        // A bad token is an unauthorized problem (401), not a silent anonymous read.
        var tokens = http.RequestServices.GetRequiredService<IAccountTokens>();
        return Viewer.Of(await tokens.VerifyAsync(token, http.RequestAborted).ConfigureAwait(false));
    }
}
