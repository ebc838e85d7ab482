using Microsoft.Extensions.Primitives;
using SocketGateway.Api;
using SocketGateway.Core;
using SocketGateway.Core.Identity;
using SocketGateway.Hubs;

namespace SocketGateway.Identity;

/// <summary>
/// Signs a browser in before the hub (contract: the token as <c>access_token</c> in the query string, which is how
/// browsers pass it on a WebSocket, or as <c>Authorization: Bearer</c>). A bad token, or none on a gateway without
/// guests, is refused with 401 on the negotiate and on the connect request alike; a good one becomes the account the
/// hub's session starts with. The same verifier as <c>/auth</c>, so every transport accepts the same tokens.
/// </summary>
public static class HubSignIn
{
    private static readonly object AccountKey = new();

    /// <summary>The account the connect request signed in as, or null for a guest.</summary>
    public static Account? AccountOf(HttpContext? context) =>
        context?.Items.TryGetValue(AccountKey, out var account) == true ? account as Account : null;

    public static IApplicationBuilder UseHubSignIn(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments(HubRegistration.Path), branch => branch.Use(SignInAsync));

    private static async Task SignInAsync(HttpContext context, RequestDelegate next)
    {
        var tokens = context.RequestServices.GetRequiredService<IAccountTokens>();
        var token = TokenOf(context.Request);
        if (token is null)
        {
            if (!tokens.AllowGuests)
            {
                await RefuseAsync(context, "this gateway has no guests: connect with a token (access_token)").ConfigureAwait(false);
                return;
            }
        }
        else
        {
            try
            {
                context.Items[AccountKey] = await tokens.VerifyAsync(token, context.RequestAborted).ConfigureAwait(false);
            }
            catch (ChatException e)
            {
                await RefuseAsync(context, e.Message).ConfigureAwait(false);
                return;
            }
        }

        await next(context).ConfigureAwait(false);
    }

    private static string? TokenOf(HttpRequest request) =>
        request.Query.TryGetValue("access_token", out var query) && !StringValues.IsNullOrEmpty(query)
            ? query.ToString()
            : BearerToken(request);

    /// <summary>The token of an <c>Authorization: Bearer</c> header, or null.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        return header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) ? header[Bearer.Length..].Trim() : null;
    }

    private static Task RefuseAsync(HttpContext context, string reason) =>
        ApiErrors.Problem(ErrorCodes.Unauthorized, reason).ExecuteAsync(context);
}
