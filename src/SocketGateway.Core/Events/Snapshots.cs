using System.Text.Json.Serialization;

namespace SocketGateway.Core.Events;

/// <summary>The Room object of the REST API and the hub.</summary>
public sealed record RoomInfo(
    string Name,
    string? Topic,
    int Members,
    int? MaxMembers,
    [property: JsonConverter(typeof(UtcMillisecondsConverter))] DateTimeOffset CreatedAt,
    bool Private = false);

/// <summary>The Member object: one session in a room (an account connected twice is two members of one nick).</summary>
public sealed record MemberInfo(
    string Nick,
    string Via,
    [property: JsonConverter(typeof(UtcMillisecondsConverter))] DateTimeOffset ConnectedAt,
    string? Account = null);

/// <summary>The User object: one connected user, and the node it is connected to.</summary>
public sealed record UserInfo(
    string Nick,
    string Via,
    IReadOnlyList<string> Rooms,
    string? RemoteAddress,
    [property: JsonConverter(typeof(UtcMillisecondsConverter))] DateTimeOffset ConnectedAt,
    string? Node = null,
    string? Account = null);
