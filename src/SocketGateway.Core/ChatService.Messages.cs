using SocketGateway.Core.Events;
using SocketGateway.Core.Identity;
using SocketGateway.Core.Names;
using SocketGateway.Core.Rooms;
using SocketGateway.Core.Sessions;

namespace SocketGateway.Core;

public sealed partial class ChatService
{
    public const int DefaultHistory = 20;
    public const int MaxHistory = 200;
    public const string DefaultApiSender = "api";

    /// <summary>
    /// How long a REST post waits for its message to be committed before it is acknowledged as delivered but not yet
    /// stored. A healthy store commits within one flush interval; this bound is for a failing or stalled disk.
    /// </summary>
    public static readonly TimeSpan CommitWaitLimit = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Sends a message or action to a room the user is in (default: the current room). A refusal throws at once;
    /// the task completes with the numbered message (at once on a single node, after Redis numbered it in a cluster).
    /// </summary>
    public ValueTask<MessageEvent> SendAsync(ChatSession session, string? roomName, string? text, string kind = MessageKinds.Message)
    {
        var body = MessageText.Normalize(text);
        var name = roomName is null
            ? session.CurrentRoom ?? throw new ChatException(ErrorCodes.NotInRoom, "you are in no room; /join one first")
            : RoomName.Require(roomName);
        // A private room one may not see answers as a missing one, not "you are not in it".
        var room = RequireVisibleRoom(name, session);
        if (!session.IsIn(name))
        {
            throw new ChatException(ErrorCodes.NotInRoom, $"you are not in {name}");
        }

        var published = PublishMessage(room, session.Nick, session.Via, body, kind, session.Account?.Id);
        return published.IsCompletedSuccessfully ? ValueTask.FromResult(published.Result.Message) : MessageOfAsync(published);
    }

    private static async ValueTask<MessageEvent> MessageOfAsync(ValueTask<(MessageEvent Message, long StorePosition)> published) =>
        (await published.ConfigureAwait(false)).Message;

    /// <summary>
    /// Posts into a room as a system or bot user (the REST API); the sender must not be a connected user's nick.
    /// Delivered live at once like any message; completes once the message is also committed to history
    /// (<see cref="PostedMessage.Stored"/>), or after <see cref="CommitWaitLimit"/> with it still queued (a failing
    /// store), so that an acknowledgement can say which.
    /// </summary>
    public async Task<PostedMessage> PostAsSystemAsync(string? roomName, string? from, string? text, CancellationToken cancellationToken)
    {
        var room = RequireRoom(RoomName.Require(roomName));
        var sender = NickName.Require(string.IsNullOrEmpty(from) ? DefaultApiSender : from);
        if (nicks.IsTaken(sender) || await directory.IsTakenElsewhereAsync(sender).ConfigureAwait(false))
        {
            throw new ChatException(ErrorCodes.NickTaken, $"'{sender}' is a connected user's nick");
        }

        if (await IsAccountNickAsync(sender).ConfigureAwait(false))
        {
            throw new ChatException(ErrorCodes.NickTaken, $"'{sender}' is an account's nick");
        }

        var (message, position) = await PublishMessage(room, sender, Via.Api, MessageText.Normalize(text), MessageKinds.Message, null).ConfigureAwait(false);
        return new PostedMessage(message, position > 0 && await CommittedInTimeAsync(position, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>A private message to a user on any node (the bus takes it to the node the user is on).</summary>
    public async Task<PrivateEvent> SendPrivateAsync(ChatSession session, string? nick, string? text)
    {
        var body = MessageText.Normalize(text);
        string to;
        if (!string.IsNullOrEmpty(nick) && nicks.SessionsOf(nick) is [{ AwaitingSignIn: false } target, ..])
        {
            to = target.Nick;
        }
        else if (!string.IsNullOrEmpty(nick) && NickName.IsValid(nick) && await directory.IsTakenElsewhereAsync(nick).ConfigureAwait(false))
        {
            to = nick;
        }
        else
        {
            throw new ChatException(ErrorCodes.NoSuchUser, $"no user is called {NickName.Printable(nick)}");
        }

        var message = new PrivateEvent(session.Nick, to, body, Now());
        bus.PublishToUser(to, message);
        if (!string.Equals(to, session.Nick, StringComparison.OrdinalIgnoreCase))
        {
            // Every session of the sender's nick here sees what it said (an account on a browser and nc at once).
            var echo = message with { Echo = true };
            foreach (var own in nicks.SessionsOf(session.Nick))
            {
                own.Send(echo);
            }
        }

        return message;
    }

    public Task<IReadOnlyList<MessageEvent>> GetHistoryAsync(string? roomName, int limit, Viewer viewer, long? beforeId = null, CancellationToken cancellationToken = default)
    {
        var room = RequireVisibleRoom(RoomName.Require(roomName), viewer);
        if (limit < 1)
        {
            throw new ChatException(ErrorCodes.BadArgument, "the history limit must be a positive number");
        }

        return store.GetHistoryAsync(room.Name, Math.Min(limit, MaxHistory), beforeId, cancellationToken);
    }

    /// <summary>
    /// What came after <paramref name="afterId"/>, oldest first, at most <see cref="MaxHistory"/> per call: a client
    /// catching up pages forward with the last id it got until a page is short.
    /// </summary>
    public Task<IReadOnlyList<MessageEvent>> GetHistoryAfterAsync(string? roomName, long afterId, int limit, Viewer viewer, CancellationToken cancellationToken = default)
    {
        var room = RequireVisibleRoom(RoomName.Require(roomName), viewer);
        if (limit < 1 || afterId < 0)
        {
            throw new ChatException(ErrorCodes.BadArgument, "after takes a message id (0 or more) and the limit must be a positive number");
        }

        return store.GetHistoryAfterAsync(room.Name, afterId, Math.Min(limit, MaxHistory), cancellationToken);
    }

    // The store's position of the message comes back so that a caller may wait for its commit (outside the gate).
    private ValueTask<(MessageEvent Message, long StorePosition)> PublishMessage(Room room, string from, string via, string text, string kind, string? account)
    {
        lock (room.SendGate)
        {
            var numbered = bus.PublishMessage(room.Name, new MessageEvent(kind, 0, room.Name, from, text, Now(), via, account));
            // A single node's bus numbers at once: the message is then queued for history under the gate, before a
            // later joiner reads the history its replay ends at.
            return numbered.IsCompletedSuccessfully
                ? ValueTask.FromResult(Stored(numbered.Result))
                : StoreWhenNumberedAsync(numbered);
        }
    }

    private async ValueTask<(MessageEvent Message, long StorePosition)> StoreWhenNumberedAsync(ValueTask<MessageEvent> numbered) =>
        Stored(await numbered.ConfigureAwait(false));

    private (MessageEvent Message, long StorePosition) Stored(MessageEvent message)
    {
        CoreMetrics.MessagesPublished.Add(1);
        return (message, store.Append(message));
    }

    private async Task<bool> CommittedInTimeAsync(long position, CancellationToken cancellationToken)
    {
        try
        {
            await store.WaitForCommitAsync(position, CancellationToken.None).WaitAsync(CommitWaitLimit, time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
