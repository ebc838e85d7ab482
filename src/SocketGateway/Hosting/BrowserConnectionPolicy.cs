using Microsoft.Extensions.Options;
using SocketGateway.Api;
using SocketGateway.Connections;
using SocketGateway.Core;
using SocketGateway.Core.Limits;
using SocketGateway.Hubs;
using SocketGateway.WebSockets;

namespace SocketGateway.Hosting;

/// <summary>
/// Guards the browser-facing long-lived endpoints (<c>/ws</c> and <c>/hubs/chat</c>). A request carrying an
/// <c>Origin</c> must come from the gateway's own origin or one listed in <c>Gateway:AllowedOrigins</c> (exact
/// match), else 403: a foreign page cannot ride a user's browser into the chat (cross-site WebSocket hijacking).
/// Requests without an Origin (nc-like tools, the .NET client) are not browsers and pass. Hub WebSocket
/// connections are admitted by <see cref="ChatConnections"/>, like every chat connection (429 when refused).
/// </summary>
public static class BrowserConnectionPolicy
{
    public static WebApplication UseBrowserConnectionPolicy(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<GatewayOptions>>();
        var connections = app.Services.GetRequiredService<ChatConnections>();
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (!IsBrowserSocketPath(path))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            if (!IsAllowedOrigin(context.Request, options.Value.AllowedOrigins))
            {
                await ApiErrors.Problem(ErrorCodes.Forbidden, "this origin may not connect", StatusCodes.Status403Forbidden)
                    .ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            if (!path.StartsWithSegments(HubRegistration.Path, StringComparison.OrdinalIgnoreCase) || !context.WebSockets.IsWebSocketRequest)
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            var admission = connections.TryAdmit(context.Connection.RemoteEndPoint(), out var lease);
            if (admission != Admission.Admitted)
            {
                await ApiErrors.Problem(ErrorCodes.RateLimited, ChatConnections.DescribeRefusal(admission), StatusCodes.Status429TooManyRequests)
                    .ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            using (lease)
            {
                await next(context).ConfigureAwait(false);
            }
        });
        return app;
    }

    /// <summary>The paths where a browser opens a long-lived socket: the hub and the raw WebSocket.</summary>
    public static bool IsBrowserSocketPath(PathString path) =>
        path.StartsWithSegments(HubRegistration.Path, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(LineWebSocketEndpoint.Path, StringComparison.OrdinalIgnoreCase);

    public static bool IsAllowedOrigin(HttpRequest request, IReadOnlyCollection<string> allowed)
    {
        var origin = request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin))
        {
            return true;
        }

        return string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase)
            || allowed.Contains(origin, StringComparer.OrdinalIgnoreCase);
    }
}
