using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SocketGateway.Connections;
using SocketGateway.Core;
using SocketGateway.Core.Identity;
using SocketGateway.Core.Names;
using SocketGateway.Core.Sessions;
using SocketGateway.Hosting;

namespace SocketGateway.Irc;

/// <summary>What every IRC connection shares: the room core, the connection pipeline, and how the server introduces itself.</summary>
public sealed class IrcServer(ChatService chat, ChatConnections pipeline, IAccountTokens tokens, IOptions<GatewayOptions> options, TimeProvider time)
{
    /// <summary>The most messages one <c>CHATHISTORY</c> answers with (announced in ISUPPORT).</summary>
    public const int ChatHistoryLimit = 100;

    private readonly DateTimeOffset _started = time.GetUtcNow();

    public ChatService Chat => chat;

    public ChatConnections Pipeline => pipeline;

    public IAccountTokens Tokens => tokens;

    public TimeProvider Time => time;

    /// <summary>The away messages of this node's IRC users (AWAY), shown in WHOIS and WHO.</summary>
    public ConcurrentDictionary<ChatSession, string> Away { get; } = new();

    public string? AwayText(string nick) =>
        Away.FirstOrDefault(entry => string.Equals(entry.Key.Nick, nick, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>The server's name in every reply's source.</summary>
    public string Name => "socketgateway";

    public IrcListenerOptions Options => options.Value.Irc;

    public string? Motd => options.Value.Irc.Motd;

    /// <summary>The welcome burst after registration: 001 to 005, then the MOTD or 422.</summary>
    public IEnumerable<string> WelcomeBurst(string nick)
    {
        yield return Reply(IrcNumerics.Welcome, nick, $":Welcome to {ChatService.ServerName}, {nick}");
        yield return Reply(IrcNumerics.YourHost, nick, $":Your host is {Name}, running {ChatService.ServerName}");
        yield return Reply(IrcNumerics.Created, nick, $":This server was created {_started:yyyy-MM-dd HH:mm:ss} UTC");
        yield return Reply(IrcNumerics.MyInfo, nick, $"{Name} {ChatService.ServerName} i ot");
        yield return Reply(IrcNumerics.ISupport, nick,
            $"CHANTYPES=# NICKLEN={NickName.MaxLength} CHANNELLEN={RoomName.MaxLength + 1} TOPICLEN={TopicText.MaxLength} "
            + $"CASEMAPPING=ascii PREFIX=(o)@ CHANMODES=,,,nt NETWORK=SocketGateway CHATHISTORY={ChatHistoryLimit} MSGREFTYPES=msgid "
            + ":are supported by this server");
        if (Motd is { Length: > 0 } motd)
        {
            yield return Reply("375", nick, $":- {Name} Message of the day -");
            foreach (var line in motd.Split('\n'))
            {
                yield return Reply("372", nick, $":- {line.TrimEnd('\r')}");
            }

            yield return Reply("376", nick, ":End of /MOTD command.");
        }
        else
        {
            yield return Reply(IrcNumerics.NoMotd, nick, ":MOTD File is missing");
        }
    }

    public string Reply(string numeric, string nick, string rest) => $":{Name} {numeric} {nick} {rest}";
}
