using Microsoft.AspNetCore.SignalR;
using SocketGateway.Core;
using SocketGateway.Core.Events;
using SocketGateway.Core.Identity;

namespace SocketGateway.Hubs;

/// <summary>The browser's way in: every method is a thin call into the room core.</summary>
public sealed class ChatHub(ChatService chat, HubSessions sessions, IAccountTokens tokens) : Hub<IChatClient>
{
    public override Task OnConnectedAsync()
    {
        sessions.Open(Context);
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        sessions.Close(Context, exception);
        return Task.CompletedTask;
    }

    /// <summary>Signs in with the website's token after connecting; the answer is the nick and account now in use.</summary>
    public async Task<AuthEvent> Authenticate(string token)
    {
        var session = sessions.Get(Context);
        // Budgeted like a message: a loop of guessed tokens is cut off like a flood.
        ChatService.TakeMessageBudget(session);
        Account account;
        try
        {
            account = await tokens.VerifyAsync(token ?? throw Missing(nameof(token)), Context.ConnectionAborted).ConfigureAwait(false);
        }
        catch (ChatException e) when (e.Code == ErrorCodes.Unauthorized && tokens.Enabled && session.CountFailedSignIn())
        {
            // Closed a moment later, so that the page still reads why: the call's completion is written after this
            // method returns, and an abort now would drop it.
            _ = AbortSoonAsync(Context);
            throw new ChatException(e.Code, $"{e.Message}; too many failed sign-ins, closing");
        }

        await chat.SignInAsync(session, account).ConfigureAwait(false);
        return new AuthEvent(session.Nick, account.Id);
    }

    /// <summary>
    /// Takes a dropped session over (the token of its <c>welcome</c>, or of <c>/session</c>): its nick, account and
    /// rooms; the events it missed are sent first, then <c>resumed</c>. The answer carries this session's next token.
    /// </summary>
    public async Task<ResumeResult> Resume(string token)
    {
        var session = sessions.Get(Context);
        ChatService.TakeMessageBudget(session);
        var missed = await chat.ResumeAsync(session, token, Context.ConnectionAborted).ConfigureAwait(false);
        return new ResumeResult(session.Nick, session.Account?.Id, [.. session.Rooms.Order(StringComparer.Ordinal)], missed, chat.IssueResumeToken(session));
    }

    /// <summary>
    /// The welcome again, as things are now: nick, account and resume token (<c>/session</c> gives a line user the
    /// token). A page that reconnected asks, because the first event of a new connection can be lost to the
    /// SignalR client's own stateful-reconnect bookkeeping (docs/RESUME.md).
    /// </summary>
    public WelcomeEvent WhoAmI()
    {
        var session = sessions.Get(Context);
        return new WelcomeEvent(session.Nick, ChatService.ServerName, session.Account?.Id, chat.IssueResumeToken(session));
    }

    private static async Task AbortSoonAsync(HubCallerContext context)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(250), CancellationToken.None).ConfigureAwait(false);
        context.Abort();
    }

    public Task<string> SetNick(string nick) => chat.SetNickAsync(sessions.Get(Context), nick);

    public Task<RoomInfo> Join(string room) => chat.JoinAsync(sessions.Get(Context), room, Context.ConnectionAborted);

    public void Leave(string room) => chat.Leave(sessions.Get(Context), room ?? throw Missing(nameof(room)));

    public Task<MessageEvent> Send(string room, string text) => SendAs(room, text, MessageKinds.Message);

    public Task<MessageEvent> SendAction(string room, string text) => SendAs(room, text, MessageKinds.Action);

    public Task<PrivateEvent> SendPrivate(string nick, string text)
    {
        var session = sessions.Get(Context);
        ChatService.TakeMessageBudget(session);
        return chat.SendPrivateAsync(session, nick, text);
    }

    public Task<IReadOnlyList<RoomInfo>> ListRooms() => chat.ListRoomsAsync(Viewer.Of(sessions.Get(Context)), Context.ConnectionAborted);

    public Task<IReadOnlyList<MemberInfo>> ListMembers(string room) => chat.ListMembersAsync(room, Viewer.Of(sessions.Get(Context)), Context.ConnectionAborted);

    public Task<IReadOnlyList<MessageEvent>> History(string room, int limit) =>
        chat.GetHistoryAsync(room, limit, Viewer.Of(sessions.Get(Context)), null, Context.ConnectionAborted);

    /// <summary>What came after a message id, oldest first (at most 200 a call): catching up after a drop.</summary>
    public Task<IReadOnlyList<MessageEvent>> HistoryAfter(string room, long afterId, int limit) =>
        chat.GetHistoryAfterAsync(room, afterId, limit, Viewer.Of(sessions.Get(Context)), Context.ConnectionAborted);

    /// <summary>Operators of the room (and <c>role: admin</c>): removes a member; others get <c>forbidden</c>.</summary>
    public Task Kick(string room, string nick, string? reason) =>
        chat.KickAsOperatorAsync(sessions.Get(Context), room ?? throw Missing(nameof(room)), nick, reason, Context.ConnectionAborted);

    /// <summary>Operators: removes a member and keeps it out (its account, or a guest's connection).</summary>
    public Task Ban(string room, string nick) =>
        chat.BanAsync(sessions.Get(Context), room ?? throw Missing(nameof(room)), nick, Context.ConnectionAborted);

    /// <summary>Whether this user may kick, ban and set the topic in the room (operators and admins).</summary>
    public bool Moderates(string room) => chat.Moderates(sessions.Get(Context), room);

    /// <summary>Operators: sets the room's topic (members get roomUpdated); the answer is the Room.</summary>
    public Task<RoomInfo> SetTopic(string room, string? topic) =>
        chat.SetTopicAsOperatorAsync(sessions.Get(Context), room ?? throw Missing(nameof(room)), topic, Context.ConnectionAborted);

    private Task<MessageEvent> SendAs(string room, string text, string kind)
    {
        var session = sessions.Get(Context);
        ChatService.TakeMessageBudget(session);
        return chat.SendAsync(session, room ?? throw Missing(nameof(room)), text, kind).AsTask();
    }

    private static ChatException Missing(string name) => new(ErrorCodes.BadArgument, $"{name} is required");
}
