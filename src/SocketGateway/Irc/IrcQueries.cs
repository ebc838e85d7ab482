using System.Globalization;
using SocketGateway.Core;
using SocketGateway.Core.Events;
using SocketGateway.Core.Identity;
using SocketGateway.Core.Sessions;
using SocketGateway.Core.Storage;

namespace SocketGateway.Irc;

/// <summary>
/// The IRC commands that ask about rooms and users (NAMES, WHO, WHOIS, LIST, CHATHISTORY) and the operator grant of
/// <c>MODE +o</c>: each a query of the room core, answered in numerics.
/// </summary>
public sealed class IrcQueries(IrcServer server, IrcOutput output, IrcEventLines lines)
{
    private ChatService Chat => server.Chat;

    private string Me => lines.Nick;

    /// <summary>353 lines (operators of the room marked <c>@</c>), then 366.</summary>
    public async Task NamesAsync(ChatSession session, string room)
    {
        var members = await Chat.ListMembersAsync(room, Viewer.Of(session)).ConfigureAwait(false);
        var operators = Operators(room);
        var names = new List<string>();
        foreach (var member in members)
        {
            lines.Saw(member.Nick, member.Via);
            names.Add(Prefix(member, operators) + member.Nick);
        }

        // 353 lines of at most 20 names, well inside 512 bytes with 24-character nicks.
        var replies = names.Chunk(20).Select(chunk => server.Reply(IrcNumerics.NamReply, Me, $"= #{room} :{string.Join(' ', chunk)}")).ToList();
        replies.Add(server.Reply(IrcNumerics.EndOfNames, Me, $"#{room} :End of /NAMES list"));
        await output.WriteAsync(replies).ConfigureAwait(false);
    }

    public async Task WhoAsync(ChatSession session, string mask)
    {
        var replies = new List<string>();
        if (mask.StartsWith('#'))
        {
            var room = IrcClient.Room(mask);
            var operators = Operators(room);
            foreach (var member in await Chat.ListMembersAsync(room, Viewer.Of(session)).ConfigureAwait(false))
            {
                var here = server.AwayText(member.Nick) is null ? "H" : "G";
                replies.Add(server.Reply(IrcNumerics.WhoReply, Me,
                    $"#{room} {member.Via} {IrcEventLines.Host} {server.Name} {member.Nick} {here}{Prefix(member, operators)} :0 {member.Nick}"));
            }
        }

        replies.Add(server.Reply(IrcNumerics.EndOfWho, Me, $"{mask} :End of /WHO list"));
        await output.WriteAsync(replies).ConfigureAwait(false);
    }

    /// <summary>311, the rooms (319), the account (330), away (301), 318; or 401 for a nick nobody has.</summary>
    public async Task WhoisAsync(ChatSession session, string nick)
    {
        var viewer = Viewer.Of(session);
        var user = (await Chat.ListUsersAsync(viewer).ConfigureAwait(false))
            .FirstOrDefault(u => string.Equals(u.Nick, nick, StringComparison.OrdinalIgnoreCase));
        var replies = new List<string>();
        if (user is null)
        {
            replies.Add(server.Reply(IrcNumerics.NoSuchNick, Me, $"{nick} :No such nick/channel"));
        }
        else
        {
            lines.Saw(user.Nick, user.Via);
            replies.Add(server.Reply(IrcNumerics.WhoisUser, Me, $"{user.Nick} {user.Via} {IrcEventLines.Host} * :{user.Nick}"));
            if (user.Rooms.Count > 0)
            {
                replies.Add(server.Reply(IrcNumerics.WhoisChannels, Me, $"{user.Nick} :{string.Join(' ', user.Rooms.Select(r => "#" + r))}"));
            }

            replies.Add(server.Reply(IrcNumerics.WhoisServer, Me, $"{user.Nick} {server.Name} :{user.Node ?? ChatService.ServerName}"));
            if (user.Account is { } account)
            {
                replies.Add(server.Reply(IrcNumerics.WhoisAccount, Me, $"{user.Nick} {account} :is logged in as"));
            }

            if (server.AwayText(user.Nick) is { } away)
            {
                replies.Add(server.Reply(IrcNumerics.Away, Me, $"{user.Nick} :{away}"));
            }
        }

        replies.Add(server.Reply(IrcNumerics.EndOfWhois, Me, $"{user?.Nick ?? nick} :End of /WHOIS list"));
        await output.WriteAsync(replies).ConfigureAwait(false);
    }

    public async Task ListAsync(ChatSession session)
    {
        var replies = new List<string> { server.Reply(IrcNumerics.ListStart, Me, "Channel :Users  Name") };
        foreach (var room in await Chat.ListRoomsAsync(Viewer.Of(session)).ConfigureAwait(false))
        {
            replies.Add(server.Reply(IrcNumerics.List, Me, $"#{room.Name} {room.Members} :{room.Topic}"));
        }

        replies.Add(server.Reply(IrcNumerics.ListEnd, Me, ":End of /LIST"));
        await output.WriteAsync(replies).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>CHATHISTORY LATEST|BEFORE|AFTER #room (*|msgid=ID) LIMIT</c> (IRCv3 chathistory), answered from the room's
    /// history as <c>/history</c> and REST page it; a refusal is a <c>FAIL CHATHISTORY</c> line.
    /// </summary>
    public async Task ChatHistoryAsync(ChatSession session, IrcMessage message)
    {
        var subcommand = message.Param(0)?.ToUpperInvariant();
        if (message.Params.Count < 4)
        {
            await FailAsync("NEED_MORE_PARAMS", subcommand ?? "*", "CHATHISTORY needs a subcommand, a target, a reference and a limit").ConfigureAwait(false);
            return;
        }

        var target = message.Params[1];
        long? reference = message.Params[2] == "*" ? null
            : message.Params[2].StartsWith("msgid=", StringComparison.Ordinal) && long.TryParse(message.Params[2].AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id
            : -1;
        if (reference == -1 || !int.TryParse(message.Params[3], NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit < 1)
        {
            await FailAsync("INVALID_PARAMS", subcommand!, "references are * or msgid=ID, and the limit a positive number").ConfigureAwait(false);
            return;
        }

        if (!target.StartsWith('#'))
        {
            await FailAsync("INVALID_TARGET", subcommand!, $"{target}: only rooms have a history").ConfigureAwait(false);
            return;
        }

        limit = Math.Min(limit, IrcServer.ChatHistoryLimit);
        var viewer = Viewer.Of(session);
        IReadOnlyList<MessageEvent> messages;
        try
        {
            var room = IrcClient.Room(target);
            messages = (subcommand, reference) switch
            {
                ("LATEST", null) => await Chat.GetHistoryAsync(room, limit, viewer).ConfigureAwait(false),
                ("LATEST", { } after) => [.. (await Chat.GetHistoryAsync(room, limit, viewer).ConfigureAwait(false)).Where(m => m.Id > after)],
                ("BEFORE", { } before) => await Chat.GetHistoryAsync(room, limit, viewer, before).ConfigureAwait(false),
                ("AFTER", { } after) => await Chat.GetHistoryAfterAsync(room, after, limit, viewer).ConfigureAwait(false),
                _ => throw new ChatException(ErrorCodes.BadArgument, "the subcommands are LATEST, BEFORE (msgid=) and AFTER (msgid=)"),
            };
        }
        catch (ChatException e)
        {
            await FailAsync(e.Code == ErrorCodes.BadArgument ? "INVALID_PARAMS" : "INVALID_TARGET", subcommand!, e.Message).ConfigureAwait(false);
            return;
        }

        await output.WriteAsync(lines.History(IrcClient.Room(target), messages)).ConfigureAwait(false);
    }

    /// <summary><c>MODE #room +o|-o NICK</c> by an operator: the nick's account is made (or no longer is) an operator of the room.</summary>
    public async Task GrantOperatorAsync(ChatSession session, string room, string nick, bool granted)
    {
        if (!Chat.Moderates(session, room))
        {
            throw new ChatException(ErrorCodes.Forbidden, $"only operators of {room} may do that");
        }

        var user = (await Chat.ListUsersAsync(Viewer.Of(session)).ConfigureAwait(false))
            .FirstOrDefault(u => string.Equals(u.Nick, nick, StringComparison.OrdinalIgnoreCase))
            ?? throw new ChatException(ErrorCodes.NoSuchUser, $"there is no user {nick}");
        var account = user.Account ?? throw new ChatException(ErrorCodes.BadArgument, $"{user.Nick} is a guest: only a signed-in user can be an operator");
        await Chat.SetGrantAsync(room, account, GrantKinds.Operator, granted).ConfigureAwait(false);
        await output.WriteAsync($":{lines.Source(Me)} MODE #{room} {(granted ? "+o" : "-o")} {user.Nick}").ConfigureAwait(false);
    }

    private HashSet<string> Operators(string room) => [.. Chat.ListGrants(room, GrantKinds.Operator)];

    private static string Prefix(MemberInfo member, HashSet<string> operators) =>
        member.Account is { } account && operators.Contains(account) ? "@" : "";

    private Task FailAsync(string code, string context, string description) =>
        output.WriteAsync($":{server.Name} FAIL CHATHISTORY {code} {context} :{description}");
}
