using System.Text.Json.Serialization;
using SocketGateway.Core.Events;

namespace SocketGateway.Core.Cluster;

/// <summary>One live gateway node, as <c>GET /api/nodes</c> lists it.</summary>
public sealed record NodeInfo(
    string Name,
    int Users,
    [property: JsonConverter(typeof(UtcMillisecondsConverter))] DateTimeOffset StartedAt,
    [property: JsonConverter(typeof(UtcMillisecondsConverter))] DateTimeOffset LastSeen);
