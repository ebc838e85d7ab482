using System.Text.Json;
using SocketGateway.Core.Events;
using SocketGateway.Core.Protocol;

namespace SocketGateway.Core.Bus;

/// <summary>
/// The form of an event between nodes: the event's own JSON (the shape the json line format and the hub send), read
/// back by its <c>type</c>. One shape for clients and nodes, so a new field needs no second serializer. Only what a
/// bus carries is known here; an event of a type this node does not know (a newer node's) is not an error.
/// </summary>
public static class EventWire
{
    private static readonly Dictionary<string, Type> Types = new(StringComparer.Ordinal)
    {
        [MessageKinds.Message] = typeof(MessageEvent),
        [MessageKinds.Action] = typeof(MessageEvent),
        ["joined"] = typeof(JoinedEvent),
        ["left"] = typeof(LeftEvent),
        ["private"] = typeof(PrivateEvent),
        ["nick"] = typeof(NickEvent),
        ["topic"] = typeof(TopicEvent),
        ["room_closed"] = typeof(RoomClosedEvent),
        ["room_updated"] = typeof(RoomUpdatedEvent),
        ["room_opened"] = typeof(RoomOpenedEvent),
        ["room_access"] = typeof(RoomAccessEvent),
        ["info"] = typeof(InfoEvent),
        ["error"] = typeof(ErrorEvent),
    };

    public static bool Carries(ChatEvent evt) => Types.ContainsKey(evt.Type);

    public static byte[] Encode(ChatEvent evt)
    {
        if (!Carries(evt))
        {
            throw new ArgumentException($"a {evt.Type} event is never sent between nodes", nameof(evt));
        }

        // Copies made for one member (its own removal, a sender's echo) stay on its node; the wire would drop the mark.
        if (evt is LeftEvent { Self: true } or PrivateEvent { Echo: true })
        {
            throw new ArgumentException("a member's own copy of an event is never sent between nodes", nameof(evt));
        }

        return JsonSerializer.SerializeToUtf8Bytes(evt, evt.GetType(), JsonEventWriter.Options);
    }

    /// <summary>The event, or null when its type is unknown here; malformed JSON throws <see cref="JsonException"/>.</summary>
    public static ChatEvent? Decode(ReadOnlySpan<byte> json)
    {
        var type = ReadType(json) ?? throw new JsonException("an event without a type");
        return Types.TryGetValue(type, out var target)
            ? (ChatEvent?)JsonSerializer.Deserialize(json, target, JsonEventWriter.Options) ?? throw new JsonException("a null event")
            : null;
    }

    // The type is the first property (JsonPropertyOrder -10); it is still looked for anywhere among the top level's.
    private static string? ReadType(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("an event is a JSON object");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8);
            reader.Read();
            if (isType)
            {
                return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }

            reader.Skip();
        }

        return null;
    }
}
