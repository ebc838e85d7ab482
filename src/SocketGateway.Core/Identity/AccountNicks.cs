using System.Security.Cryptography;
using System.Text;
using SocketGateway.Core.Names;

namespace SocketGateway.Core.Identity;

/// <summary>Which nick an account signs in under (contract: its <c>name</c>, default its <c>sub</c> when that is a valid nick).</summary>
public static class AccountNicks
{
    public const string GuestPrefix = "guest-";

    private const string FallbackPrefix = "user-";

    /// <summary>
    /// The nicks to try, best first: the token's name, else its sub; then the account's fallback. A name in the guest
    /// namespace is passed over, so that a token cannot hand out what looks like a guest.
    /// </summary>
    public static IEnumerable<string> Candidates(Account account)
    {
        if (Usable(account.Name))
        {
            yield return account.Name!;
        }
        else if (Usable(account.Id))
        {
            yield return account.Id;
        }

        yield return Fallback(account);
    }

    /// <summary>
    /// A nick only this account maps to (<c>user-</c> and 8 hex digits of a hash of its id): what it is called when its
    /// name is invalid, or is held right now by another account's session.
    /// </summary>
    public static string Fallback(Account account) =>
        FallbackPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(account.Id)).AsSpan(0, 4));

    private static bool Usable(string? nick) =>
        NickName.IsValid(nick) && !nick!.StartsWith(GuestPrefix, StringComparison.OrdinalIgnoreCase);
}
