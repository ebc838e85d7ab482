using SocketGateway.Core.Cluster;

namespace SocketGateway.Api;

public static class NodesApi
{
    public static RouteGroupBuilder MapNodesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/nodes", async (INodeDirectory nodes, CancellationToken ct) => TypedResults.Ok(await nodes.ListLiveNodesAsync(ct).ConfigureAwait(false)))
            .WithTags("Nodes").WithName("ListNodes")
            .WithSummary("Lists the live gateway nodes: this one alone, or every node of the cluster whose lease is alive");
        return api;
    }
}
