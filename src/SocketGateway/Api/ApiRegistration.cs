using Microsoft.AspNetCore.Http.Features;
using Microsoft.OpenApi;
using SocketGateway.Core.Protocol;
using SocketGateway.Hosting;

namespace SocketGateway.Api;

public static class ApiRegistration
{
    public static IServiceCollection AddGatewayApi(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(options => JsonEventWriter.Configure(options.SerializerOptions));
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            if (!context.ProblemDetails.Extensions.ContainsKey("code") && ApiErrors.DefaultCodeFor(status) is { } code)
            {
                context.ProblemDetails.Extensions["code"] = code;
            }
        });
        services.AddApiRateLimiting();
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options => options.SwaggerDoc("v1", new OpenApiInfo
        {
            Title = "SocketGateway",
            Version = "v1",
            Description = "Rooms, members and messages of the gateway. Changes need X-Api-Key when an admin key is configured, else loopback.",
        }));
        return services;
    }

    /// <summary>
    /// Every error answer, the framework's own included, is problem+json. A WebSocket upgrade skips these two: its
    /// answer is the upgrade or the WebSocket layer's own refusal, and a middleware on the path of a connection that
    /// lives for hours keeps its state alive for as long (about 250 bytes per browser).
    /// </summary>
    public static WebApplication UseGatewayErrors(this WebApplication app)
    {
        app.UseWhen(context => !IsWebSocketUpgrade(context), errors =>
        {
            errors.UseExceptionHandler();
            errors.UseStatusCodePages();
        });
        return app;
    }

    private static bool IsWebSocketUpgrade(HttpContext context) =>
        BrowserConnectionPolicy.IsBrowserSocketPath(context.Request.Path)
        && (context.Request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase)
            || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true);

    /// <summary>REST bodies are small JSON documents: a larger one is refused (413) before it is read.</summary>
    public static WebApplication UseApiLimits(this WebApplication app)
    {
        var limit = app.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>()?.MaxRequestBodyBytes ?? 64 * 1024;
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase), api =>
        {
            api.Use((context, next) =>
            {
                if (limit > 0 && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
                {
                    feature.MaxRequestBodySize = limit;
                }

                return next(context);
            });
            api.UseRateLimiter();
        });
        return app;
    }

    public static WebApplication UseGatewaySwagger(this WebApplication app)
    {
        if (app.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>()?.Swagger.Enabled ?? true)
        {
            // Only on its own path, so that long-lived requests (hub, /ws) do not carry two idle middleware frames.
            app.UseWhen(context => context.Request.Path.StartsWithSegments("/swagger", StringComparison.OrdinalIgnoreCase), swagger =>
            {
                swagger.UseSwagger();
                swagger.UseSwaggerUI();
            });
        }

        return app;
    }

    public static WebApplication MapGatewayApi(this WebApplication app)
    {
        var api = app.MapGroup("/api").AddEndpointFilter<ChatErrorEndpointFilter>();
        api.MapRoomsApi();
        api.MapUsersApi();
        api.MapNodesApi();
        api.MapBridgesApi();
        return app;
    }
}
