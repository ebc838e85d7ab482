using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SocketGateway.Tests.Identity;

/// <summary>Tokens as a website would mint them (Microsoft.IdentityModel), and the hostile ones a test sends.</summary>
public static class TestTokens
{
    public const string SigningKey = "a test signing key of at least thirty-two bytes";

    private static readonly JsonWebTokenHandler Handler = new();

    public static string Hs256(string? sub, string? name = null, DateTime? expires = null, string key = SigningKey, IDictionary<string, object>? claims = null) =>
        Mint(new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256), sub, name, expires, claims);

    public static string Mint(SigningCredentials credentials, string? sub, string? name = null, DateTime? expires = null, IDictionary<string, object>? claims = null)
    {
        var all = new Dictionary<string, object>(claims ?? new Dictionary<string, object>());
        if (sub is not null)
        {
            all["sub"] = sub;
        }

        if (name is not null)
        {
            all["name"] = name;
        }

        var exp = expires ?? DateTime.UtcNow.AddMinutes(10);
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = all,
            Expires = exp,
            IssuedAt = exp.AddMinutes(-20),
            NotBefore = exp.AddMinutes(-20),
            SigningCredentials = credentials,
        });
    }

    /// <summary>An unsigned token (<c>alg: none</c>) with a valid-looking payload.</summary>
    public static string Unsigned(string sub) =>
        Base64Url("""{"alg":"none","typ":"JWT"}""") + "." + Base64Url($$"""{"sub":"{{sub}}","exp":{{DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds()}}}""") + ".";

    public static (RSA Key, string PublicPemPath) RsaKeyFile()
    {
        var rsa = RSA.Create(2048);
        var path = Path.Combine(Directory.CreateTempSubdirectory("sg-jwt-").FullName, "public.pem");
        File.WriteAllText(path, rsa.ExportSubjectPublicKeyInfoPem());
        return (rsa, path);
    }

    private static string Base64Url(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
}
