using SocketGateway.Core;

namespace SocketGateway.Irc;

/// <summary>The numeric replies the listener sends, and the one each of the room core's error codes becomes.</summary>
public static class IrcNumerics
{
    public const string Welcome = "001";
    public const string YourHost = "002";
    public const string Created = "003";
    public const string MyInfo = "004";
    public const string ISupport = "005";
    public const string UserModeIs = "221";
    public const string EndOfWho = "315";
    public const string ListStart = "321";
    public const string List = "322";
    public const string ListEnd = "323";
    public const string ChannelModeIs = "324";
    public const string NoTopic = "331";
    public const string Topic = "332";
    public const string WhoReply = "352";
    public const string NamReply = "353";
    public const string EndOfNames = "366";
    public const string NoSuchNick = "401";
    public const string NoSuchChannel = "403";
    public const string CannotSendToChan = "404";
    public const string NoRecipient = "411";
    public const string NoTextToSend = "412";
    public const string InputTooLong = "417";
    public const string UnknownCommand = "421";
    public const string NoMotd = "422";
    public const string NoNicknameGiven = "431";
    public const string ErroneousNickname = "432";
    public const string NicknameInUse = "433";
    public const string NotOnChannel = "442";
    public const string NotRegistered = "451";
    public const string NeedMoreParams = "461";
    public const string AlreadyRegistered = "462";
    public const string ChannelIsFull = "471";
    public const string BannedFromChan = "474";
    public const string ChanOpPrivsNeeded = "482";
    public const string PasswordMismatch = "464";
    public const string EndOfBanList = "368";
    public const string UnknownMode = "472";
    public const string Away = "301";
    public const string UnAway = "305";
    public const string NowAway = "306";
    public const string WhoisUser = "311";
    public const string WhoisServer = "312";
    public const string EndOfWhois = "318";
    public const string WhoisChannels = "319";
    public const string WhoisAccount = "330";
    public const string LoggedIn = "900";
    public const string SaslSuccess = "903";
    public const string SaslFail = "904";
    public const string SaslTooLong = "905";
    public const string SaslAborted = "906";
    public const string SaslAlready = "907";
    public const string SaslMechanisms = "908";

    /// <summary>The numeric for a refusal of the room core; null when IRC has none (it is then a NOTICE).</summary>
    public static string? For(string errorCode) => errorCode switch
    {
        ErrorCodes.NoSuchRoom or ErrorCodes.InvalidRoom => NoSuchChannel,
        ErrorCodes.NotInRoom => NotOnChannel,
        ErrorCodes.NoSuchUser => NoSuchNick,
        ErrorCodes.NickTaken => NicknameInUse,
        ErrorCodes.InvalidNick => ErroneousNickname,
        ErrorCodes.RoomFull => ChannelIsFull,
        ErrorCodes.Forbidden => ChanOpPrivsNeeded,
        ErrorCodes.LineTooLong or ErrorCodes.MessageTooLong => InputTooLong,
        _ => null,
    };
}
