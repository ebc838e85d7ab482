using SocketGateway.Core.Events;

namespace SocketGateway.Hubs;

/// <summary>The events a browser receives; their camelCase names are the contract's event names.</summary>
public interface IChatClient
{
    Task Welcome(WelcomeEvent evt);

    Task Message(MessageEvent evt);

    Task Action(MessageEvent evt);

    Task Joined(JoinedEvent evt);

    Task Left(LeftEvent evt);

    Task Private(PrivateEvent evt);

    Task Nick(NickEvent evt);

    Task RoomClosed(RoomClosedEvent evt);

    Task RoomUpdated(RoomUpdatedEvent evt);

    /// <summary>A Resume's replay of missed events is over (they came before it).</summary>
    Task Resumed(ResumedEvent evt);

    /// <summary>The recent history of a room just joined (not in the contract's list; sent on join).</summary>
    Task History(HistoryEvent evt);
}
