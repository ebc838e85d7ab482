using System.Globalization;
using SocketGateway.Core.Events;
using SocketGateway.Core.Identity;
using SocketGateway.Core.Sessions;

namespace SocketGateway.Core.Protocol;

/// <summary>
/// The line protocol's commands, for every transport that speaks it (TCP, TLS, the raw WebSocket). Replies go
/// through the session's own queue, so they keep their order with the events around them.
/// </summary>
public sealed class LineCommands(ChatService chat, IAccountTokens tokens)
{
    private static readonly string[] HelpLines =
    [
        "commands (case-insensitive; a line not starting with / is a message to your current room, //text sends /text):",
        "/auth TOKEN           sign in with your website's token",
        "/nick NAME            change your nick",
        "/join ROOM            join a room (creating it) and make it current",
        "/leave [ROOM]         leave a room (default: current); alias /part",
        "/rooms                list rooms; alias /list",
        "/who [ROOM]           members of a room; alias /names",
        "/msg NICK TEXT        private message",
        "/me TEXT              action",
        "/topic [TEXT]         show the current room's topic; operators: set it",
        "/kick NICK [REASON]   operators: remove someone from the current room",
        "/ban NICK             operators: remove and keep out of the current room",
        "/history [N]          last N messages of the current room (default 20, at most 200)",
        "/history [ROOM] after=ID   what came after message ID (at most 200)",
        "/format text|json     how the server writes to you",
        "/session              a resume token: after a drop, /resume TOKEN on a new connection gets back what you missed",
        "/resume TOKEN         take a dropped session over (same nick and rooms, missed events replayed)",
        "/ping                 keep-alive; answers pong",
        "/quit [REASON]        leave and close",
    ];

    /// <summary>Handles one decoded line; returns false when the client asked to close (/quit).</summary>
    public async ValueTask<bool> ExecuteAsync(ChatSession session, string line, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return true;
        }

        try
        {
            if (session.AwaitingSignIn && !IsAllowedBeforeSignIn(line))
            {
                throw new ChatException(ErrorCodes.Unauthorized, "this gateway has no guests: sign in first with /auth TOKEN");
            }

            if (line[0] != '/' || line.StartsWith("//", StringComparison.Ordinal))
            {
                await session.Budget.WaitAsync(cancellationToken).ConfigureAwait(false);
                Sent(chat.SendAsync(session, null, line[0] == '/' ? line[1..] : line));
                return true;
            }

            var (command, argument) = SplitWord(line.AsSpan(1));
            return await ExecuteCommandAsync(session, command.ToLowerInvariant(), argument, cancellationToken).ConfigureAwait(false);
        }
        catch (ChatException e)
        {
            session.Send(new ErrorEvent(e.Code, e.Message));
            return true;
        }
    }

    private async ValueTask<bool> ExecuteCommandAsync(ChatSession session, string command, string argument, CancellationToken cancellationToken)
    {
        switch (command)
        {
            case "help":
                foreach (var help in HelpLines)
                {
                    session.Send(new InfoEvent(help));
                }

                break;
            case "auth":
                // Budgeted like a message: a loop of guessed tokens is slowed down, then cut off.
                await session.Budget.WaitAsync(cancellationToken).ConfigureAwait(false);
                Account account;
                try
                {
                    account = await tokens.VerifyAsync(RequireArgument(argument, "/auth TOKEN"), cancellationToken).ConfigureAwait(false);
                }
                catch (ChatException e) when (e.Code == ErrorCodes.Unauthorized && tokens.Enabled && session.CountFailedSignIn())
                {
                    session.Send(new ErrorEvent(e.Code, $"{e.Message}; too many failed sign-ins, closing"));
                    chat.Disconnect(session, LeftReasons.Disconnected);
                    return false;
                }

                await chat.SignInAsync(session, account).ConfigureAwait(false);
                break;
            case "nick":
                await chat.SetNickAsync(session, RequireArgument(argument, "/nick NAME")).ConfigureAwait(false);
                break;
            case "join":
                await JoinAsync(session, RequireArgument(argument, "/join ROOM"), cancellationToken).ConfigureAwait(false);
                break;
            case "leave" or "part":
                chat.Leave(session, OptionalArgument(argument));
                break;
            case "rooms" or "list":
                session.Send(new RoomsEvent(await chat.ListRoomsAsync(Viewer.Of(session), cancellationToken).ConfigureAwait(false)));
                break;
            case "who" or "names":
                var room = OptionalArgument(argument) ?? CurrentRoom(session);
                session.Send(new MembersEvent(Names.RoomName.Require(room), await chat.ListMembersAsync(room, Viewer.Of(session), cancellationToken).ConfigureAwait(false)));
                break;
            case "msg":
                var (nick, text) = SplitWord(RequireArgument(argument, "/msg NICK TEXT"));
                await session.Budget.WaitAsync(cancellationToken).ConfigureAwait(false);
                await chat.SendPrivateAsync(session, nick, text.Length == 0 ? throw Usage("/msg NICK TEXT") : text).ConfigureAwait(false);
                break;
            case "me":
                await session.Budget.WaitAsync(cancellationToken).ConfigureAwait(false);
                Sent(chat.SendAsync(session, null, RequireArgument(argument, "/me TEXT"), MessageKinds.Action));
                break;
            case "topic" when argument.Length == 0:
                var info = await chat.GetRoomAsync(CurrentRoom(session), Viewer.Of(session), cancellationToken).ConfigureAwait(false);
                session.Send(new TopicEvent(info.Name, info.Topic));
                break;
            case "topic":
                // Members (the operator too) see the change as roomUpdated: "* topic of ROOM: TOPIC".
                await chat.SetTopicAsOperatorAsync(session, null, argument, cancellationToken).ConfigureAwait(false);
                break;
            case "kick":
                var (kicked, reason) = SplitWord(RequireArgument(argument, "/kick NICK [REASON]"));
                await chat.KickAsOperatorAsync(session, null, kicked, reason, cancellationToken).ConfigureAwait(false);
                break;
            case "ban":
                await chat.BanAsync(session, null, RequireArgument(argument, "/ban NICK"), cancellationToken).ConfigureAwait(false);
                break;
            case "history":
                await HistoryAsync(session, OptionalArgument(argument), cancellationToken).ConfigureAwait(false);
                break;
            case "format":
                session.Format = ParseFormat(argument);
                session.Send(new FormatSwitch(session.Format));
                session.Send(new InfoEvent($"output format is now {argument.ToLowerInvariant()}"));
                break;
            case "session":
                session.Send(new SessionEvent(chat.IssueResumeToken(session)));
                break;
            case "resume":
                await chat.ResumeAsync(session, RequireArgument(argument, "/resume TOKEN"), cancellationToken).ConfigureAwait(false);
                break;
            case "ping":
                session.Send(new PongEvent());
                break;
            case "quit":
                session.Send(new InfoEvent("bye"));
                chat.Disconnect(session, LeftReasons.Quit, OptionalArgument(argument));
                return false;
            default:
                throw new ChatException(ErrorCodes.UnknownCommand, $"unknown command /{Names.NickName.Printable(command)}; type /help");
        }

        return true;
    }

    // A resumed session is whatever the dropped one was (signed in, if this gateway has no guests).
    private static readonly string[] AllowedBeforeSignIn = ["auth", "help", "ping", "quit", "resume"];

    private static bool IsAllowedBeforeSignIn(string line)
    {
        if (line[0] != '/' || line.StartsWith("//", StringComparison.Ordinal))
        {
            return false;
        }

        var command = SplitWord(line.AsSpan(1)).Word;
        return AllowedBeforeSignIn.Contains(command, StringComparer.OrdinalIgnoreCase);
    }

    // A line user reads its own message back from the room like everyone else: the line loop does not wait for a
    // cluster's numbering round trip, so one connection's messages go to Redis back to back (in order: one gate).
    private static void Sent(ValueTask<MessageEvent> sending)
    {
        if (!sending.IsCompleted)
        {
            _ = sending.AsTask();
        }
        else
        {
            sending.GetAwaiter().GetResult();
        }
    }

    private async Task JoinAsync(ChatSession session, string room, CancellationToken cancellationToken)
    {
        var wasMember = Names.RoomName.TryNormalize(room, out var name) && session.Rooms.Contains(name);
        var info = await chat.JoinAsync(session, room, cancellationToken).ConfigureAwait(false);
        if (wasMember)
        {
            session.Send(new InfoEvent($"{info.Name} is now your current room"));
        }
    }

    // /history [N]: the current room's last N (default 20); /history [ROOM] [N] after=ID: what came after that id
    // (default and at most 200).
    private async Task HistoryAsync(ChatSession session, string? arguments, CancellationToken cancellationToken)
    {
        int? limit = null;
        long? after = null;
        string? room = null;
        var words = (arguments ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // A room is named only beside after=ID (the contract's two forms); alone, a word that is no number is a bad N.
        var catchingUp = words.Any(w => w.StartsWith("after=", StringComparison.OrdinalIgnoreCase));
        foreach (var word in words)
        {
            if (word.StartsWith("after=", StringComparison.OrdinalIgnoreCase))
            {
                after = long.TryParse(word.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                    ? id
                    : throw new ChatException(ErrorCodes.BadArgument, "after=ID takes a message id");
            }
            else if (word.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0)
            {
                // A whole number too large for an int is still "more than 200": capped, not refused.
                limit = int.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : ChatService.MaxHistory;
            }
            else if (catchingUp && room is null)
            {
                room = word;
            }
            else
            {
                throw new ChatException(ErrorCodes.BadArgument, "/history N takes a positive whole number (or: /history [ROOM] after=ID)");
            }
        }

        if (limit < 1)
        {
            throw new ChatException(ErrorCodes.BadArgument, "/history N takes a positive whole number");
        }

        var name = Names.RoomName.Require(room ?? CurrentRoom(session));
        var viewer = Viewer.Of(session);
        var messages = after is { } afterId
            ? await chat.GetHistoryAfterAsync(name, afterId, Math.Min(limit ?? ChatService.MaxHistory, ChatService.MaxHistory), viewer, cancellationToken).ConfigureAwait(false)
            : await chat.GetHistoryAsync(name, Math.Min(limit ?? ChatService.DefaultHistory, ChatService.MaxHistory), viewer, null, cancellationToken).ConfigureAwait(false);
        session.Send(new HistoryEvent(name, messages));
    }

    private static OutputFormat ParseFormat(string argument) => argument.ToLowerInvariant() switch
    {
        "text" => OutputFormat.Text,
        "json" => OutputFormat.Json,
        _ => throw Usage("/format text|json"),
    };

    private static string CurrentRoom(ChatSession session) =>
        session.CurrentRoom ?? throw new ChatException(ErrorCodes.NotInRoom, "you are in no room; /join one first");

    private static string RequireArgument(string argument, string usage) => argument.Length > 0 ? argument : throw Usage(usage);

    private static string? OptionalArgument(string argument) => argument.Length > 0 ? argument : null;

    private static ChatException Usage(string usage) => new(ErrorCodes.BadArgument, $"usage: {usage}");

    private static (string Word, string Remainder) SplitWord(ReadOnlySpan<char> text)
    {
        text = text.TrimStart();
        var end = 0;
        while (end < text.Length && !char.IsWhiteSpace(text[end]))
        {
            end++;
        }

        return (text[..end].ToString(), text[end..].Trim().ToString());
    }

    private static (string Word, string Remainder) SplitWord(string text) => SplitWord(text.AsSpan());
}
