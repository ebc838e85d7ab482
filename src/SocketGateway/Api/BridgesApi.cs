using SocketGateway.Bridges;
using SocketGateway.Core;

namespace SocketGateway.Api;

public static class BridgesApi
{
    /// <summary>A bridge id that names none: the room and user codes' pattern, for the one thing they do not cover.</summary>
    public const string NoSuchBridge = "no_such_bridge";

    public static RouteGroupBuilder MapBridgesApi(this RouteGroupBuilder api)
    {
        var bridges = api.MapGroup("/bridges").WithTags("Bridges").AddEndpointFilter<AdminAccessFilter>();

        bridges.MapGet("/", async (BridgeRegistry registry, CancellationToken ct) => TypedResults.Ok(await registry.ListAsync(ct).ConfigureAwait(false)))
            .WithName("ListBridges").WithSummary("Lists the bridges: state since when, the last error, bytes and frames in and out")
            .WithDescription(StatesNote)
            .Produces<IReadOnlyList<BridgeInfo>>().ProducesProblem(StatusCodes.Status401Unauthorized);

        bridges.MapGet("/{id}", async (string id, BridgeRegistry registry, CancellationToken ct) =>
                await registry.FindAsync(id, ct).ConfigureAwait(false) is { } bridge ? Results.Ok(bridge) : NotFound(id))
            .WithName("GetBridge").WithSummary("Gets one bridge").WithDescription(StatesNote)
            .Produces<BridgeInfo>().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);

        bridges.MapPost("/", async (CreateBridgeRequest body, BridgeRegistry registry, CancellationToken ct) =>
            {
                try
                {
                    var bridge = await registry.CreateAsync(body, ct).ConfigureAwait(false);
                    return Results.Created($"/api/bridges/{bridge.Id}", bridge);
                }
                catch (ChatException e) when (e.Code == ErrorCodes.Forbidden)
                {
                    return ApiErrors.Problem(e.Code, e.Message, StatusCodes.Status403Forbidden);
                }
            })
            .WithName("CreateBridge")
            .WithSummary("Binds a room to a socket service: the gateway connects to host:port and keeps the connection")
            .WithDescription("Each frame from the service is posted to room as nick (via bridge); each message of anyone else in the room is "
                + "written to the service. framing: lf, crlf, nul or lp32 (4-byte big-endian length). Only Gateway:Bridges:AllowedHosts "
                + "(default loopback) may be targets: any other is 403 forbidden, and a name is resolved and checked again at every connect.")
            .Produces<BridgeInfo>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);

        bridges.MapDelete("/{id}", async (string id, BridgeRegistry registry, CancellationToken ct) =>
                await registry.DeleteAsync(id, ct).ConfigureAwait(false) ? Results.NoContent() : NotFound(id))
            .WithName("DeleteBridge").WithSummary("Removes a bridge: its connection is closed and its member leaves the room")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);

        return api;
    }

    private static IResult NotFound(string id) =>
        ApiErrors.Problem(NoSuchBridge, $"no bridge {id}", StatusCodes.Status404NotFound);

    private const string StatesNote =
        "state: connecting (first attempt), up, down (lastError says why; nextAttemptAt when it tries again, the wait doubling with "
        + "each failure up to Gateway:Bridges:MaxBackoffSeconds, with jitter), reconnecting (a later attempt). since: when it came up, "
        + "or when the outage began. failures: attempts failed since it was last up. Counters count since this node started the bridge.";
}
