using System.Text.Json.Serialization;
using SocketGateway.Core.Bridges;
using SocketGateway.Core.Events;

namespace SocketGateway.Bridges;

/// <summary>A bridge as an administrator made it: what it connects to, and which room it speaks in as whom.</summary>
public sealed record BridgeDefinition(string Id, string Room, string Host, int Port, Framing Framing, string Nick, DateTimeOffset CreatedAt);

public static class BridgeStates
{
    public const string Connecting = "connecting";
    public const string Up = "up";
    public const string Down = "down";
    public const string Reconnecting = "reconnecting";
}

/// <summary>
/// A bridge as <c>GET /api/bridges</c> shows it: its definition, its state since when, the last error and when the
/// next attempt is due while it is down, and what went through it (all its connections together).
/// </summary>
public sealed record BridgeInfo(
    string Id,
    string Room,
    string Host,
    int Port,
    string Framing,
    string Nick,
    string State,
    [property: JsonConverter(typeof(UtcMillisecondsConverter))] DateTimeOffset Since,
    string? LastError,
    [property: JsonConverter(typeof(UtcMillisecondsConverter))] DateTimeOffset? NextAttemptAt,
    int Failures,
    long BytesIn,
    long BytesOut,
    long FramesIn,
    long FramesOut,
    long Skipped,
    long CutOffs,
    string? Node);
