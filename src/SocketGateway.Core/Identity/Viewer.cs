using SocketGateway.Core.Sessions;

namespace SocketGateway.Core.Identity;

/// <summary>
/// Who is asking to see a room, its members or its history: a private room is shown only to those who may join it
/// (or are in it), and is otherwise answered as if it did not exist. An administrator (the admin key; <c>role:
/// admin</c>) sees every room.
/// </summary>
public sealed record Viewer(Account? Account, bool IsAdmin, ChatSession? Session = null)
{
    /// <summary>The admin API, and the gateway's own views (metrics).</summary>
    public static readonly Viewer Administrator = new(null, IsAdmin: true);

    /// <summary>Someone who showed no token: public rooms only.</summary>
    public static readonly Viewer Anonymous = new(null, IsAdmin: false);

    public static Viewer Of(ChatSession session) => new(session.Account, session.Account?.IsAdmin == true, session);

    public static Viewer Of(Account? account) => account is null ? Anonymous : new(account, account.IsAdmin);
}
