using SocketGateway.Core.Identity;
using SocketGateway.Identity;

namespace SocketGateway.Hosting;

public static class AuthRegistration
{
    /// <summary>Token sign-in when <c>Gateway:Auth</c> has a key; otherwise everyone is a guest. A bad key stops the start.</summary>
    public static IServiceCollection AddAccountTokens(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new AuthOptions();
        configuration.GetSection(AuthOptions.Section).Bind(options);
        services.AddSingleton(options);
        if (JwtAccountTokens.FromOptions(options) is { } tokens)
        {
            services.AddSingleton(tokens);
            services.AddSingleton<IAccountTokens>(tokens);
        }
        else if (!options.AllowGuests)
        {
            throw new InvalidOperationException(
                "Gateway:Auth:AllowGuests=false needs Gateway:Auth:SigningKey or Gateway:Auth:PublicKeyPath: without a key nobody could sign in");
        }
        else
        {
            services.AddSingleton<IAccountTokens, NoAccountTokens>();
        }

        return services;
    }
}
