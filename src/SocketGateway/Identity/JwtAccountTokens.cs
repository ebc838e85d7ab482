using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SocketGateway.Core;
using SocketGateway.Core.Identity;

namespace SocketGateway.Identity;

/// <summary>
/// The website's JWTs, checked by Microsoft.IdentityModel (no JWT code of our own): only the algorithm of the
/// configured key (so <c>alg: none</c> and an HS256 token signed with a public key's text are refused), <c>exp</c>
/// required with at most 30 s of skew, <c>iss</c>/<c>aud</c> when configured, <c>sub</c> required, and no token larger
/// than <see cref="MaxTokenBytes"/>. A refusal names the reason only: a token is never quoted, logged or kept.
/// </summary>
public sealed class JwtAccountTokens : IAccountTokens
{
    /// <summary>Far above any real token (a few hundred bytes), far below what would cost real work to parse.</summary>
    public const int MaxTokenBytes = 8 * 1024;

    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly JsonWebTokenHandler _handler = new() { MaximumTokenSizeInBytes = MaxTokenBytes };
    private readonly TokenValidationParameters _parameters;

    public JwtAccountTokens(AuthOptions options)
    {
        AllowGuests = options.AllowGuests;
        _parameters = CreateParameters(options);
    }

    public bool Enabled => true;

    public bool AllowGuests { get; }


    /// <summary>The gateway's token checks, or null when no key is configured (tokens off).</summary>
    public static JwtAccountTokens? FromOptions(AuthOptions options) =>
        string.IsNullOrEmpty(options.SigningKey) && string.IsNullOrEmpty(options.PublicKeyPath) ? null : new JwtAccountTokens(options);

    public async ValueTask<Account> VerifyAsync(string token, CancellationToken cancellationToken)
    {
        if (token.Length > MaxTokenBytes)
        {
            throw Refused("the token is too large");
        }

        var result = await _handler.ValidateTokenAsync(token, _parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            throw Refused(Reason(result.Exception));
        }

        return ToAccount((JsonWebToken)result.SecurityToken);
    }

    /// <summary>The account a validated token names; <c>sub</c> is required.</summary>
    public static Account ToAccount(JsonWebToken jwt)
    {
        if (string.IsNullOrWhiteSpace(jwt.Subject))
        {
            throw Refused("the token has no sub (account)");
        }

        var name = jwt.TryGetPayloadValue<string>("name", out var n) ? n : null;
        return new Account(jwt.Subject, name, Strings(jwt, "rooms"), Strings(jwt, "role").Contains("admin", StringComparer.Ordinal));
    }

    private static TokenValidationParameters CreateParameters(AuthOptions options)
    {
        if (!string.IsNullOrEmpty(options.SigningKey) && !string.IsNullOrEmpty(options.PublicKeyPath))
        {
            throw new InvalidOperationException("Gateway:Auth: set SigningKey (HS256) or PublicKeyPath (RS256/ES256), not both");
        }

        var (key, algorithm) = string.IsNullOrEmpty(options.PublicKeyPath) ? SharedKey(options.SigningKey!) : PublicKey(options.PublicKeyPath);
        return new TokenValidationParameters
        {
            IssuerSigningKey = key,
            ValidAlgorithms = [algorithm],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = ClockSkew,
            ValidateIssuer = !string.IsNullOrEmpty(options.Issuer),
            ValidIssuer = options.Issuer,
            ValidateAudience = !string.IsNullOrEmpty(options.Audience),
            ValidAudience = options.Audience,
            NameClaimType = "name",
            RoleClaimType = "role",
        };
    }

    private static (SecurityKey, string) SharedKey(string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        if (bytes.Length < 32)
        {
            throw new InvalidOperationException($"Gateway:Auth:SigningKey must be at least 32 bytes (HS256); it has {bytes.Length}");
        }

        return (new SymmetricSecurityKey(bytes), SecurityAlgorithms.HmacSha256);
    }

    private static (SecurityKey, string) PublicKey(string path)
    {
        var pem = File.Exists(path) ? File.ReadAllText(path) : throw new InvalidOperationException($"Gateway:Auth:PublicKeyPath: no file at {path}");
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return (new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256);
        }
        catch (ArgumentException)
        {
            // Not an RSA key: perhaps an EC one.
        }

        try
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return (new ECDsaSecurityKey(ec), SecurityAlgorithms.EcdsaSha256);
        }
        catch (ArgumentException)
        {
            throw new InvalidOperationException($"Gateway:Auth:PublicKeyPath: {path} holds no RSA or EC public key in PEM form");
        }
    }

    private static IReadOnlyList<string> Strings(JsonWebToken jwt, string claim)
    {
        if (jwt.TryGetPayloadValue<string[]>(claim, out var many) && many is not null)
        {
            return many;
        }

        return jwt.TryGetPayloadValue<string>(claim, out var one) && one is not null ? [one] : [];
    }

    // Fixed texts: the library's messages can carry parts of the token.
    private static string Reason(Exception? e) => e switch
    {
        SecurityTokenExpiredException => "the token has expired",
        SecurityTokenNoExpirationException => "the token has no exp",
        SecurityTokenNotYetValidException => "the token is not valid yet",
        SecurityTokenInvalidAlgorithmException => "the token's algorithm is not accepted",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "the token's signature does not verify",
        SecurityTokenInvalidIssuerException => "the token's issuer is not accepted",
        SecurityTokenInvalidAudienceException => "the token's audience is not accepted",
        SecurityTokenMalformedException or ArgumentException or JsonException => "the token is malformed",
        _ => "the token is refused",
    };

    private static ChatException Refused(string reason) => new(ErrorCodes.Unauthorized, reason);
}
