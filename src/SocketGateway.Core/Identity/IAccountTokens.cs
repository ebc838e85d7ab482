namespace SocketGateway.Core.Identity;

/// <summary>Turns a website's token into an <see cref="Account"/>, or refuses it with <c>unauthorized</c>.</summary>
public interface IAccountTokens
{
    /// <summary>Whether a signing key is configured (else every token is refused: sign-in is off).</summary>
    bool Enabled { get; }

    /// <summary>Whether a user without a token may chat (<c>Gateway:Auth:AllowGuests</c>).</summary>
    bool AllowGuests { get; }

    /// <summary>The account the token names; a <see cref="ChatException"/> (<c>unauthorized</c>) with a reason that never quotes the token.</summary>
    ValueTask<Account> VerifyAsync(string token, CancellationToken cancellationToken);
}

/// <summary>No signing key configured: everyone is a guest.</summary>
public sealed class NoAccountTokens : IAccountTokens
{
    public bool Enabled => false;

    public bool AllowGuests => true;

    public ValueTask<Account> VerifyAsync(string token, CancellationToken cancellationToken) =>
        throw new ChatException(ErrorCodes.Unauthorized, "sign-in is off on this gateway (no Gateway:Auth:SigningKey or PublicKeyPath)");
}
