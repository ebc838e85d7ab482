namespace SocketGateway.Identity;

/// <summary><c>Gateway:Auth</c>: how the website's tokens are checked (contract, "Identity and access").</summary>
public sealed class AuthOptions
{
    public const string Section = "Gateway:Auth";

    /// <summary>HS256 shared secret, at least 32 bytes; none (and no public key) = tokens off.</summary>
    public string? SigningKey { get; set; }

    /// <summary>A PEM file with an RSA (RS256) or EC P-256 (ES256) public key, instead of a shared secret.</summary>
    public string? PublicKeyPath { get; set; }

    public string? Issuer { get; set; }

    public string? Audience { get; set; }

    public bool AllowGuests { get; set; } = true;
}
