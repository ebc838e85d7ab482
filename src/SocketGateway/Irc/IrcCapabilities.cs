namespace SocketGateway.Irc;

/// <summary>
/// The IRCv3 capabilities the listener offers (<c>CAP LS</c>) and those one client has enabled (<c>CAP REQ</c>). A
/// request is granted whole or refused whole, as the CAP specification says. Without any of them a client gets plain
/// RFC 1459 lines.
/// </summary>
public sealed class IrcCapabilities(bool saslOffered)
{
    public const string ServerTime = "server-time";
    public const string MessageTags = "message-tags";
    public const string EchoMessage = "echo-message";
    public const string Batch = "batch";
    public const string DraftChatHistory = "draft/chathistory";
    public const string ChatHistory = "chathistory";
    public const string Sasl = "sasl";

    private static readonly string[] Always = [ServerTime, MessageTags, EchoMessage, Batch, DraftChatHistory, ChatHistory];

    private readonly HashSet<string> _enabled = new(StringComparer.Ordinal);

    /// <summary>What <c>CAP LS</c> lists; from version 302 on, with values (the SASL mechanisms).</summary>
    public string Listing(int version) =>
        string.Join(' ', saslOffered ? Always.Append(version >= 302 ? $"{Sasl}=PLAIN" : Sasl) : Always);

    public string EnabledListing => string.Join(' ', _enabled.Order(StringComparer.Ordinal));

    public bool Has(string capability) => _enabled.Contains(capability);

    /// <summary>Enables (or, with a leading <c>-</c>, disables) every capability listed, or none if one is unknown.</summary>
    public bool TryRequest(string list)
    {
        var changes = list.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(word => (Name: word.TrimStart('-'), Enable: !word.StartsWith('-')))
            .ToList();
        if (changes.Count == 0 || changes.Any(change => !IsOffered(change.Name)))
        {
            return false;
        }

        foreach (var (name, enable) in changes)
        {
            if (enable)
            {
                _enabled.Add(name);
            }
            else
            {
                _enabled.Remove(name);
            }
        }

        return true;
    }

    private bool IsOffered(string name) => Always.Contains(name, StringComparer.Ordinal) || (saslOffered && name == Sasl);
}
