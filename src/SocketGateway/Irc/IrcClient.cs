using System.Net;
using SocketGateway.Connections;
using SocketGateway.Core;
using SocketGateway.Core.Events;
using SocketGateway.Core.Identity;
using SocketGateway.Core.Names;
using SocketGateway.Core.Sessions;

namespace SocketGateway.Irc;

/// <summary>
/// One IRC connection: registration (NICK, USER, CAP), then each command is a call on the room core, as a TCP line
/// or a hub call is, and the session's events are written back by <see cref="PumpAsync"/> in IRC's words.
/// </summary>
public sealed class IrcClient(IrcServer server, IrcOutput output, IPEndPoint? peer, IChatTransport transport)
{
    private const string ClosingLink = "ERROR :Closing link";

    private readonly IrcEventLines _lines = new(server.Name, new IrcCapabilities(saslOffered: server.Tokens.Enabled), server.Time);
    private readonly IrcSasl _sasl = new(server);
    private IrcQueries? _queriesMade;
    private string? _password;
    private ChatSession? _pendingSession; // made at the first NICK and USER, the client's once a nick is taken
    private ChatSession? _session;
    private string? _wantedNick;
    private bool _gotUser;
    private bool _negotiatingCaps;
    private Task _pump = Task.CompletedTask;

    private ChatService Chat => server.Chat;

    private IrcCapabilities Caps => _lines.Caps;

    private IrcQueries Queries => _queriesMade ??= new IrcQueries(server, output, _lines);

    private string Me => _lines.Nick;

    /// <summary>Registration is complete: the client has its session and its welcome.</summary>
    public bool IsRegistered => _session is not null;

    /// <summary>Handles one line; false once the client has quit.</summary>
    public async Task<bool> HandleAsync(string line)
    {
        if (IrcMessage.Parse(line) is not { } message)
        {
            return true;
        }

        try
        {
            return _session is null ? await RegisterAsync(message).ConfigureAwait(false) : await CommandAsync(_session, message).ConfigureAwait(false);
        }
        catch (ChatException e)
        {
            await RefuseAsync(message, e).ConfigureAwait(false);
            return true;
        }
    }

    public Task TooLongAsync() => output.WriteAsync(server.Reply(IrcNumerics.InputTooLong, Me, ":Input line was too long"));

    /// <summary>
    /// The connection ended: its session leaves as a dropped one does (a QUIT has already left), also one that never
    /// got a nick it asked for.
    /// </summary>
    public async Task EndAsync()
    {
        if ((_session ?? _pendingSession) is { } session)
        {
            server.Away.TryRemove(session, out _);
            server.Pipeline.Close(session, LeftReasons.Disconnected, mayHold: false);
            await _pump.ConfigureAwait(false);
        }
    }

    private async Task<bool> RegisterAsync(IrcMessage message)
    {
        switch (message.Command)
        {
            case "CAP":
                await CapAsync(message).ConfigureAwait(false);
                break;
            case "NICK":
                _wantedNick = message.Param(0) is { Length: > 0 } nick ? nick : throw new ChatException(ErrorCodes.BadArgument, "No nickname given");
                break;
            case "USER":
                _gotUser = message.Params.Count >= 4 ? true : throw NeedMoreParams(message);
                break;
            case "PASS":
                _password = message.Param(0);
                break;
            case "AUTHENTICATE":
                return await AuthenticateAsync(message).ConfigureAwait(false);
            case "PING":
                await PongAsync(message).ConfigureAwait(false);
                break;
            case "QUIT":
                await output.WriteAsync(ClosingLink).ConfigureAwait(false);
                return false;
            default:
                await output.WriteAsync(server.Reply(IrcNumerics.NotRegistered, "*", ":You have not registered")).ConfigureAwait(false);
                break;
        }

        if (_wantedNick is not null && _gotUser && !_negotiatingCaps)
        {
            return await CompleteRegistrationAsync(_wantedNick).ConfigureAwait(false);
        }

        return true;
    }

    private async Task CapAsync(IrcMessage message)
    {
        switch (message.Param(0)?.ToUpperInvariant())
        {
            case "LS":
                // Registration waits for CAP END once a client negotiates; a registered client may look again.
                _negotiatingCaps = _session is null;
                var version = int.TryParse(message.Param(1), out var v) ? v : 0;
                await output.WriteAsync($":{server.Name} CAP {Me} LS :{Caps.Listing(version)}").ConfigureAwait(false);
                break;
            case "LIST":
                await output.WriteAsync($":{server.Name} CAP {Me} LIST :{Caps.EnabledListing}").ConfigureAwait(false);
                break;
            case "REQ":
                _negotiatingCaps = _session is null;
                var requested = message.Param(1) ?? "";
                await output.WriteAsync($":{server.Name} CAP {Me} {(Caps.TryRequest(requested) ? "ACK" : "NAK")} :{requested}").ConfigureAwait(false);
                break;
            case "END":
                _negotiatingCaps = false;
                break;
            default:
                await output.WriteAsync(server.Reply("410", Me, $"{message.Param(0)} :Invalid CAP command")).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// NICK and USER are in: the session is made and takes the nick. A taken or invalid nick is 433 or 432 and the
    /// client tries another; the session waits, as a guest, until one is free. A client signed in (SASL, or a
    /// <c>PASS</c> of an account token) gets its account's nick instead, as on every transport. False when the
    /// connection is to close: a wrong password, or a guest on a gateway without guests.
    /// </summary>
    private async Task<bool> CompleteRegistrationAsync(string nick)
    {
        if (_sasl.Account is null && _password is { Length: > 0 } password && server.Tokens.Enabled
            && !await _sasl.CheckPasswordAsync(password).ConfigureAwait(false))
        {
            return await RefuseRegistrationAsync("Password incorrect: PASS takes an account token").ConfigureAwait(false);
        }

        if (_sasl.Account is null && !server.Tokens.AllowGuests)
        {
            return await RefuseRegistrationAsync("This server needs a sign-in: SASL PLAIN or PASS with an account token").ConfigureAwait(false);
        }

        var session = _pendingSession ??= server.Pipeline.Open(Via.Irc, peer, transport, _sasl.Account);
        try
        {
            if (session.Account is null && _sasl.Account is { } account)
            {
                await Chat.SignInAsync(session, account).ConfigureAwait(false);
            }
            else if (session.Account is null && !string.Equals(session.Nick, nick, StringComparison.Ordinal))
            {
                await Chat.SetNickAsync(session, nick).ConfigureAwait(false);
            }
        }
        catch (ChatException e) when (e.Code is ErrorCodes.NickTaken or ErrorCodes.InvalidNick)
        {
            _wantedNick = null;
            var numeric = e.Code == ErrorCodes.NickTaken ? IrcNumerics.NicknameInUse : IrcNumerics.ErroneousNickname;
            await output.WriteAsync(server.Reply(numeric, "*", $"{nick} :{e.Message}")).ConfigureAwait(false);
            return true;
        }

        await session.Arrived.ConfigureAwait(false);
        // What was queued while registering speaks of the guest the session began as: the client is shown its rooms
        // afresh instead, as JOINs with their topics and names.
        while (session.Outbound.TryRead(out _))
        {
        }

        _lines.Nick = session.Nick;
        _lines.Saw(session.Nick, Via.Irc);
        _session = session;
        await output.WriteAsync(server.WelcomeBurst(Me)).ConfigureAwait(false);
        foreach (var room in session.Rooms)
        {
            await output.WriteAsync($":{_lines.Source(Me)} JOIN #{room}").ConfigureAwait(false);
            await TopicAndNamesAsync(session, room).ConfigureAwait(false);
        }

        _pump = PumpAsync(session);
        return true;
    }

    private async Task<bool> RefuseRegistrationAsync(string why)
    {
        await output.WriteAsync([server.Reply(IrcNumerics.PasswordMismatch, "*", $":{why}"), ClosingLink]).ConfigureAwait(false);
        return false;
    }

    /// <summary>SASL, before registration or after it (a registered client then signs its session in).</summary>
    private async Task<bool> AuthenticateAsync(IrcMessage message)
    {
        if (!server.Tokens.Enabled)
        {
            await output.WriteAsync(server.Reply(IrcNumerics.SaslFail, Me, ":SASL is off: this gateway has no account tokens")).ConfigureAwait(false);
            return true;
        }

        var before = _sasl.Account;
        await output.WriteAsync(await _sasl.StepAsync(Me, message.Param(0)).ConfigureAwait(false)).ConfigureAwait(false);
        if (_sasl.TooManyFailures)
        {
            await output.WriteAsync(ClosingLink).ConfigureAwait(false);
            return false;
        }

        if (_session is { } session && _sasl.Account is { } account && !ReferenceEquals(account, before))
        {
            await Chat.SignInAsync(session, account).ConfigureAwait(false);
        }

        return true;
    }

    private async Task<bool> CommandAsync(ChatSession session, IrcMessage message)
    {
        if (message.Command is not ("PING" or "PONG" or "QUIT"))
        {
            // Every command costs a token of the session's message budget, as a line does on the TCP port: a flooding
            // client is read more slowly (IRC's "fake lag"), and nothing it sent is lost.
            await session.Budget.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        switch (message.Command)
        {
            case "PING":
                await PongAsync(message).ConfigureAwait(false);
                break;
            case "PONG":
            case "CAP" when message.Param(0)?.ToUpperInvariant() == "END":
                break;
            case "CAP":
                await CapAsync(message).ConfigureAwait(false);
                break;
            case "NICK":
                await Chat.SetNickAsync(session, message.Param(0) ?? throw NeedMoreParams(message)).ConfigureAwait(false);
                if (session.Rooms.Count == 0)
                {
                    // In no room, no nick event reaches this session: it is told here.
                    await output.WriteAsync($":{_lines.Source(Me)} NICK {session.Nick}").ConfigureAwait(false);
                    _lines.Nick = session.Nick;
                }

                break;
            case "USER":
            case "PASS":
                await output.WriteAsync(server.Reply(IrcNumerics.AlreadyRegistered, Me, ":You may not reregister")).ConfigureAwait(false);
                break;
            case "AUTHENTICATE":
                return await AuthenticateAsync(message).ConfigureAwait(false);
            case "WHOIS":
                await Queries.WhoisAsync(session, message.Params.Count > 0 ? message.Params[^1] : throw NoNickname()).ConfigureAwait(false);
                break;
            case "AWAY":
                await AwayAsync(session, message.Param(0)).ConfigureAwait(false);
                break;
            case "CHATHISTORY":
                await Queries.ChatHistoryAsync(session, message).ConfigureAwait(false);
                break;
            case "JOIN":
                await JoinAsync(session, message).ConfigureAwait(false);
                break;
            case "PART":
                foreach (var channel in Channels(message))
                {
                    Chat.Leave(session, Room(channel));
                }

                break;
            case "PRIVMSG":
            case "NOTICE":
                await SayAsync(session, message).ConfigureAwait(false);
                break;
            case "TOPIC":
                await TopicAsync(session, message).ConfigureAwait(false);
                break;
            case "NAMES":
                foreach (var channel in Channels(message))
                {
                    await Queries.NamesAsync(session, Room(channel)).ConfigureAwait(false);
                }

                break;
            case "WHO":
                await Queries.WhoAsync(session, message.Param(0) ?? "*").ConfigureAwait(false);
                break;
            case "LIST":
                await Queries.ListAsync(session).ConfigureAwait(false);
                break;
            case "MODE":
                await ModeAsync(session, message).ConfigureAwait(false);
                break;
            case "KICK":
                await Chat.KickAsOperatorAsync(session, Room(message.Param(0) ?? throw NeedMoreParams(message)),
                    message.Param(1) ?? throw NeedMoreParams(message), message.Param(2)).ConfigureAwait(false);
                break;
            case "QUIT":
                Chat.Disconnect(session, LeftReasons.Quit, message.Param(0));
                await _pump.ConfigureAwait(false);
                await output.WriteAsync(ClosingLink).ConfigureAwait(false);
                return false;
            default:
                await output.WriteAsync(server.Reply(IrcNumerics.UnknownCommand, Me, $"{message.Command} :Unknown command")).ConfigureAwait(false);
                break;
        }

        return true;
    }

    private async Task JoinAsync(ChatSession session, IrcMessage message)
    {
        if (message.Param(0) == "0")
        {
            foreach (var room in session.Rooms.ToArray())
            {
                Chat.Leave(session, room);
            }

            return;
        }

        foreach (var channel in Channels(message))
        {
            try
            {
                await Chat.JoinAsync(session, Room(channel)).ConfigureAwait(false);
            }
            catch (ChatException e)
            {
                await RefuseAsync(message with { Params = [channel] }, e).ConfigureAwait(false);
            }
        }
    }

    private async Task SayAsync(ChatSession session, IrcMessage message)
    {
        var target = message.Param(0);
        var text = message.Param(1);
        if (target is null || text is null or "")
        {
            if (message.Command == "PRIVMSG")
            {
                await output.WriteAsync(target is null
                    ? server.Reply(IrcNumerics.NoRecipient, Me, ":No recipient given (PRIVMSG)")
                    : server.Reply(IrcNumerics.NoTextToSend, Me, ":No text to send")).ConfigureAwait(false);
            }

            return;
        }

        var action = text.StartsWith("\u0001ACTION ", StringComparison.Ordinal);
        if (action)
        {
            text = text["\u0001ACTION ".Length..].TrimEnd('\u0001');
        }
        else if (text.StartsWith('\u0001'))
        {
            return; // other CTCP (VERSION, PING...) has no meaning in the rooms
        }

        try
        {
            if (target.StartsWith('#'))
            {
                await Chat.SendAsync(session, Room(target), text, action ? MessageKinds.Action : MessageKinds.Message).ConfigureAwait(false);
            }
            else
            {
                await Chat.SendPrivateAsync(session, target, action ? $"* {session.Nick} {text}" : text).ConfigureAwait(false);
                if (message.Command == "PRIVMSG" && server.AwayText(target) is { } away)
                {
                    await output.WriteAsync(server.Reply(IrcNumerics.Away, Me, $"{target} :{away}")).ConfigureAwait(false);
                }
            }
        }
        catch (ChatException) when (message.Command == "NOTICE")
        {
            // A NOTICE is never answered with an error (RFC 2812), so that two bots cannot loop on each other.
        }
    }

    private async Task TopicAsync(ChatSession session, IrcMessage message)
    {
        var room = Room(message.Param(0) ?? throw NeedMoreParams(message));
        if (message.Param(1) is { } topic)
        {
            await Chat.SetTopicAsOperatorAsync(session, room, topic).ConfigureAwait(false);
            return;
        }

        var info = await Chat.GetRoomAsync(room, Viewer.Of(session)).ConfigureAwait(false);
        await output.WriteAsync(TopicLine(info.Name, info.Topic)).ConfigureAwait(false);
    }

    private async Task TopicAndNamesAsync(ChatSession session, string room)
    {
        var info = await Chat.GetRoomAsync(room, Viewer.Of(session)).ConfigureAwait(false);
        _lines.SawTopic(room, info.Topic);
        if (info.Topic is { Length: > 0 })
        {
            await output.WriteAsync(TopicLine(room, info.Topic)).ConfigureAwait(false);
        }

        await Queries.NamesAsync(session, room).ConfigureAwait(false);
    }

    private string TopicLine(string room, string? topic) => topic is { Length: > 0 }
        ? server.Reply(IrcNumerics.Topic, Me, $"#{room} :{topic}")
        : server.Reply(IrcNumerics.NoTopic, Me, $"#{room} :No topic is set");

    /// <summary>
    /// Mode queries (the room is <c>+nt</c>, a user <c>+i</c>, the ban list is the room's), and an operator's
    /// <c>+o</c>/<c>-o</c> (an operator grant, as REST makes) and <c>+b</c> (a ban, as <c>/ban</c>).
    /// </summary>
    private async Task ModeAsync(ChatSession session, IrcMessage message)
    {
        var target = message.Param(0) ?? throw NeedMoreParams(message);
        if (!target.StartsWith('#'))
        {
            await output.WriteAsync(server.Reply(IrcNumerics.UserModeIs, Me, "+i")).ConfigureAwait(false);
            return;
        }

        var room = Room(target);
        switch (message.Param(1))
        {
            case null:
                await output.WriteAsync(server.Reply(IrcNumerics.ChannelModeIs, Me, $"#{room} +nt")).ConfigureAwait(false);
                break;
            case "b" or "+b" when message.Param(2) is null:
                await output.WriteAsync(server.Reply(IrcNumerics.EndOfBanList, Me, $"#{room} :End of channel ban list")).ConfigureAwait(false);
                break;
            case "+b":
                await Chat.BanAsync(session, room, message.Param(2)).ConfigureAwait(false);
                break;
            case "+o" or "-o" when message.Param(2) is { } nick:
                await Queries.GrantOperatorAsync(session, room, nick, message.Param(1) == "+o").ConfigureAwait(false);
                break;
            default:
                await output.WriteAsync(server.Reply(IrcNumerics.UnknownMode, Me, $"{message.Param(1)} :is not a mode this server changes")).ConfigureAwait(false);
                break;
        }
    }

    private async Task AwayAsync(ChatSession session, string? text)
    {
        if (text is { Length: > 0 })
        {
            server.Away[session] = text;
            await output.WriteAsync(server.Reply(IrcNumerics.NowAway, Me, ":You have been marked as being away")).ConfigureAwait(false);
        }
        else
        {
            server.Away.TryRemove(session, out _);
            await output.WriteAsync(server.Reply(IrcNumerics.UnAway, Me, ":You are no longer marked as being away")).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes the session's events in IRC's words until its queue ends (a disconnect or an overflow): a batch of what
    /// is waiting, with one flush. A room message is the bytes all IRC members share (<see cref="IrcEventLines.Shared"/>)
    /// unless this client's capabilities make it its own.
    /// </summary>
    private async Task PumpAsync(ChatSession session)
    {
        var batch = new List<ReadOnlyMemory<byte>>();
        try
        {
            while (await session.Outbound.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (batch.Count < 256 && session.Outbound.TryRead(out var evt))
                {
                    if (_lines.Shared(evt) is { } shared)
                    {
                        batch.Add(shared);
                        continue;
                    }

                    if (evt.Event is JoinedEvent joined && string.Equals(joined.Nick, Me, StringComparison.OrdinalIgnoreCase))
                    {
                        // The client's own join: JOIN, then the topic and the names, before anything else of that room.
                        batch.Add(IrcOutput.Encode($":{_lines.Source(Me)} JOIN #{joined.Room}"));
                        await output.WriteAsync(batch).ConfigureAwait(false);
                        batch.Clear();
                        try
                        {
                            await TopicAndNamesAsync(session, joined.Room).ConfigureAwait(false);
                        }
                        catch (ChatException)
                        {
                            // The room went again meanwhile; its close or the leave follows in the queue.
                        }

                        continue;
                    }

                    foreach (var line in _lines.For(evt.Event))
                    {
                        batch.Add(IrcOutput.Encode(line));
                    }
                }

                if (batch.Count > 0)
                {
                    await output.WriteAsync(batch).ConfigureAwait(false);
                    batch.Clear();
                }

                session.NotifyDrained();
            }
        }
        catch (Exception e) when (ChatConnections.IsPeerGone(e) || e is InvalidOperationException)
        {
            transport.CutOff();
        }
        finally
        {
            session.WriterStopped();
        }
    }

    // Before registration and after it alike: a client may check the link while it negotiates.
    private Task PongAsync(IrcMessage message) => output.WriteAsync($":{server.Name} PONG {server.Name} :{message.Param(0)}");

    private async Task RefuseAsync(IrcMessage message, ChatException e)
    {
        var numeric = IrcNumerics.For(e.Code);
        var subject = message.Param(0) is { } first ? first + " " : "";
        await output.WriteAsync(numeric is null
            ? $":{server.Name} NOTICE {Me} :! {e.Code}: {e.Message}"
            : server.Reply(numeric, Me, $"{subject}:{e.Message}")).ConfigureAwait(false);
    }

    private static IEnumerable<string> Channels(IrcMessage message) =>
        (message.Param(0) ?? throw NeedMoreParams(message)).Split(',', StringSplitOptions.RemoveEmptyEntries);

    // Channel #room is room room; a name without the # is taken as the room too.
    public static string Room(string channel) => RoomName.Require(channel.StartsWith('#') ? channel[1..] : channel);

    private static ChatException NoNickname() => new(ErrorCodes.BadArgument, "No nickname given");

    private static ChatException NeedMoreParams(IrcMessage message) =>
        new(ErrorCodes.BadArgument, $"{message.Command} needs more parameters");
}
