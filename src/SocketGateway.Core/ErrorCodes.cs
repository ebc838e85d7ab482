namespace SocketGateway.Core;

/// <summary>The error codes of the external contract, shared by every transport.</summary>
public static class ErrorCodes
{
    public const string UnknownCommand = "unknown_command";
    public const string BadArgument = "bad_argument";
    public const string InvalidNick = "invalid_nick";
    public const string NickTaken = "nick_taken";
    public const string InvalidRoom = "invalid_room";
    public const string NoSuchRoom = "no_such_room";
    public const string NotInRoom = "not_in_room";
    public const string NoSuchUser = "no_such_user";
    public const string RoomFull = "room_full";
    public const string MessageTooLong = "message_too_long";
    public const string LineTooLong = "line_too_long";
    public const string RateLimited = "rate_limited";
    public const string Forbidden = "forbidden";
    public const string RoomExists = "room_exists";
    public const string Unauthorized = "unauthorized";
}
