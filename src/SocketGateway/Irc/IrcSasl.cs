using System.Text;
using SocketGateway.Core;
using SocketGateway.Core.Identity;

namespace SocketGateway.Irc;

/// <summary>
/// SASL PLAIN over <c>AUTHENTICATE</c>: the password is an account token, checked as <c>/auth</c> checks one. The
/// client's encoded credentials may come in 400-byte pieces; a piece shorter than that (or <c>+</c>) ends them.
/// </summary>
public sealed class IrcSasl(IrcServer server)
{
    private const int PieceLength = 400;
    private const int MaxEncodedLength = 8192;
    private const int MaxFailures = 3;

    private StringBuilder? _encoded; // after AUTHENTICATE PLAIN, until the credentials are in
    private int _failures;

    public Account? Account { get; private set; }

    /// <summary>Three failed attempts: the connection is closed, as after three failed <c>/auth</c>.</summary>
    public bool TooManyFailures => _failures >= MaxFailures;

    /// <summary>One <c>AUTHENTICATE</c> line; returns the lines to answer with.</summary>
    public async Task<IReadOnlyList<string>> StepAsync(string me, string? argument)
    {
        if (argument is null)
        {
            return [server.Reply(IrcNumerics.NeedMoreParams, me, "AUTHENTICATE :Not enough parameters")];
        }

        if (argument == "*")
        {
            _encoded = null;
            return [server.Reply(IrcNumerics.SaslAborted, me, ":SASL authentication aborted")];
        }

        if (_encoded is null)
        {
            if (Account is not null)
            {
                return [server.Reply(IrcNumerics.SaslAlready, me, ":You have already authenticated using SASL")];
            }

            if (!string.Equals(argument, "PLAIN", StringComparison.OrdinalIgnoreCase))
            {
                return [server.Reply(IrcNumerics.SaslMechanisms, me, "PLAIN :are available SASL mechanisms"),
                    server.Reply(IrcNumerics.SaslFail, me, ":SASL authentication failed")];
            }

            _encoded = new StringBuilder();
            return ["AUTHENTICATE +"];
        }

        if (argument != "+")
        {
            _encoded.Append(argument);
        }

        if (_encoded.Length > MaxEncodedLength)
        {
            _encoded = null;
            return [server.Reply(IrcNumerics.SaslTooLong, me, ":SASL message too long")];
        }

        if (argument.Length == PieceLength)
        {
            return []; // more pieces follow
        }

        var encoded = _encoded.ToString();
        _encoded = null;
        return await CheckAsync(me, encoded).ConfigureAwait(false);
    }

    /// <summary>A <c>PASS</c> of an account token, the way older clients and bouncers sign in.</summary>
    public async Task<bool> CheckPasswordAsync(string token)
    {
        try
        {
            Account = await server.Tokens.VerifyAsync(token, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (ChatException e) when (e.Code == ErrorCodes.Unauthorized)
        {
            _failures++;
            return false;
        }
    }

    private async Task<IReadOnlyList<string>> CheckAsync(string me, string encoded)
    {
        // authzid \0 authcid \0 password; the password (the token) alone says who the user is.
        string[] fields;
        try
        {
            fields = Encoding.UTF8.GetString(Convert.FromBase64String(encoded)).Split('\0');
        }
        catch (FormatException)
        {
            fields = [];
        }

        if (fields.Length != 3 || !await CheckPasswordAsync(fields[2]).ConfigureAwait(false))
        {
            if (fields.Length != 3)
            {
                _failures++;
            }

            return [server.Reply(IrcNumerics.SaslFail, me, ":SASL authentication failed")];
        }

        var account = Account!;
        return [server.Reply(IrcNumerics.LoggedIn, me, $"{me}!{Via.Irc}@{IrcEventLines.Host} {account.Id} :You are now logged in as {account.Id}"),
            server.Reply(IrcNumerics.SaslSuccess, me, ":SASL authentication successful")];
    }
}
