using System.Text.Json;
using SocketGateway.Core.Events;

namespace SocketGateway.Hubs;

/// <summary>Maps a core event to the hub event that carries it; replies meant for line clients have none.</summary>
public static class HubEventNames
{
    private static readonly string Welcome = Name(nameof(IChatClient.Welcome));
    private static readonly string Message = Name(nameof(IChatClient.Message));
    private static readonly string Action = Name(nameof(IChatClient.Action));
    private static readonly string Joined = Name(nameof(IChatClient.Joined));
    private static readonly string Left = Name(nameof(IChatClient.Left));
    private static readonly string Private = Name(nameof(IChatClient.Private));
    private static readonly string Nick = Name(nameof(IChatClient.Nick));
    private static readonly string RoomClosed = Name(nameof(IChatClient.RoomClosed));
    private static readonly string RoomUpdated = Name(nameof(IChatClient.RoomUpdated));
    private static readonly string History = Name(nameof(IChatClient.History));
    private static readonly string Resumed = Name(nameof(IChatClient.Resumed));

    public static string? For(ChatEvent evt) => evt switch
    {
        MessageEvent { Type: MessageKinds.Action } => Action,
        MessageEvent => Message,
        JoinedEvent => Joined,
        LeftEvent => Left,
        PrivateEvent { Echo: false } => Private,
        NickEvent => Nick,
        RoomClosedEvent => RoomClosed,
        RoomUpdatedEvent => RoomUpdated,
        WelcomeEvent => Welcome,
        HistoryEvent => History,
        ResumedEvent => Resumed,
        _ => null,
    };

    private static string Name(string method) => JsonNamingPolicy.CamelCase.ConvertName(method);
}
