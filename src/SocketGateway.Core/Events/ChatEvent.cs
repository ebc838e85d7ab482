using System.Text.Json.Serialization;

namespace SocketGateway.Core.Events;

/// <summary>
/// Everything the server tells a client. One shape for every transport: the SignalR hub sends these
/// objects, TCP json writes them one a line, and TCP text renders them with <see cref="Protocol.TextEventWriter"/>.
/// </summary>
public abstract record ChatEvent([property: JsonPropertyOrder(-10)] string Type);

public static class MessageKinds
{
    public const string Message = "message";
    public const string Action = "action";
}

/// <summary>A room message or /me action, as relayed, stored and returned by history; <paramref name="Account"/> is null for guests.</summary>
public sealed record MessageEvent(
    string Type,
    long Id,
    string Room,
    string From,
    string Text,
    [property: JsonConverter(typeof(UtcMillisecondsConverter))] DateTimeOffset Ts,
    string Via,
    string? Account = null) : ChatEvent(Type);

public sealed record JoinedEvent(string Room, string Nick, string Via) : ChatEvent("joined");

/// <summary>A member left; <paramref name="Self"/> marks the copy sent to a member who was removed.</summary>
public sealed record LeftEvent(
    string Room,
    string Nick,
    string Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Text = null,
    [property: JsonIgnore] bool Self = false) : ChatEvent("left");

public static class LeftReasons
{
    public const string Left = "left";
    public const string Quit = "quit";
    public const string Kicked = "kicked";
    public const string Disconnected = "disconnected";
    public const string RoomClosed = "room_closed";
}

/// <summary>A private message; <paramref name="Echo"/> marks the sender's own copy.</summary>
public sealed record PrivateEvent(
    string From,
    string To,
    string Text,
    [property: JsonConverter(typeof(UtcMillisecondsConverter))] DateTimeOffset Ts,
    [property: JsonIgnore] bool Echo = false) : ChatEvent("private");

public sealed record NickEvent(string Room, string Old, string New) : ChatEvent("nick");

public sealed record InfoEvent(string Text) : ChatEvent("info");

public sealed record ErrorEvent(string Code, string Text) : ChatEvent("error");

public sealed record RoomsEvent(IReadOnlyList<RoomInfo> Rooms) : ChatEvent("rooms");

public sealed record MembersEvent(string Room, IReadOnlyList<MemberInfo> Members) : ChatEvent("members");

public sealed record HistoryEvent(string Room, IReadOnlyList<MessageEvent> Messages) : ChatEvent("history");

public sealed record TopicEvent(string Room, string? Topic) : ChatEvent("topic");

public sealed record PongEvent() : ChatEvent("pong");

/// <summary>
/// The first event of a connection; <paramref name="Account"/> is set when it connected with a token, and
/// <paramref name="ResumeToken"/> for a hub connection (a line user asks for one with <c>/session</c>).
/// </summary>
public sealed record WelcomeEvent(
    string Nick,
    string Server,
    string? Account = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ResumeToken = null) : ChatEvent("welcome");

/// <summary>The answer to <c>/session</c>: the secret that lets a new connection take this session over after a drop.</summary>
public sealed record SessionEvent(string ResumeToken) : ChatEvent("session");

/// <summary>A new connection took a dropped session over; <paramref name="Missed"/> events were replayed before this.</summary>
public sealed record ResumedEvent(int Missed) : ChatEvent("resumed");

/// <summary>The session signed in with a token: its nick now and its account.</summary>
public sealed record AuthEvent(string Nick, string Account) : ChatEvent("auth");

public sealed record RoomClosedEvent(string Room, string Reason) : ChatEvent("room_closed");

/// <summary>A room's settings changed; carries the Room object's fields.</summary>
public sealed record RoomUpdatedEvent(
    string Name,
    string? Topic,
    int Members,
    int? MaxMembers,
    [property: JsonConverter(typeof(UtcMillisecondsConverter))] DateTimeOffset CreatedAt,
    bool Private = false) : ChatEvent("room_updated")
{
    public static RoomUpdatedEvent From(RoomInfo room) =>
        new(room.Name, room.Topic, room.Members, room.MaxMembers, room.CreatedAt, room.Private);
}

/// <summary>
/// Not sent to anyone: a room was made (on some node). Published in the room's order so that every node knows the
/// room before any of its later events; a node that did not know it adds it.
/// </summary>
public sealed record RoomOpenedEvent(
    string Name,
    string? Topic,
    int? MaxMembers,
    [property: JsonConverter(typeof(UtcMillisecondsConverter))] DateTimeOffset CreatedAt,
    bool Private = false) : ChatEvent("room_opened");

/// <summary>
/// Not sent to anyone: an account was invited to, banned from or made operator of a room (or no longer is), or a
/// guest was banned by nick (<see cref="Rooms.RoomAccess.GuestBan"/>, lifted when it disconnects). Published in the
/// room's order, so every node changes the room's access before the room's later events (the kick of a ban).
/// </summary>
public sealed record RoomAccessEvent(string Room, string Kind, string Subject, bool Granted) : ChatEvent("room_access");

/// <summary>
/// Not sent to anyone: queued by /format so that the session's writer switches format exactly between the
/// events queued before and after the command.
/// </summary>
public sealed record FormatSwitch(Protocol.OutputFormat Format) : ChatEvent("format");

/// <summary>
/// Not an event for people: bytes a line transport must write as they are (telnet refusals), queued like the
/// events around them so they never cut into a line being written.
/// </summary>
public sealed record RawBytesEvent([property: JsonIgnore] byte[] Bytes) : ChatEvent("raw");
