namespace SocketGateway.Core.Identity;

/// <summary>
/// A signed-in user as the website's token describes it (contract, "Identity and access"): the account (<c>sub</c>),
/// the nick it wants (<c>name</c>, when given), the private rooms it may join (<c>rooms</c>) and whether it moderates
/// every room (<c>role: admin</c>). The token itself is never kept.
/// </summary>
public sealed record Account(string Id, string? Name, IReadOnlyList<string> Rooms, bool IsAdmin);
