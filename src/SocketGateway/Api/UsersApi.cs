using SocketGateway.Core;

namespace SocketGateway.Api;

public static class UsersApi
{
    public static RouteGroupBuilder MapUsersApi(this RouteGroupBuilder api)
    {
        api.MapGet("/users", async (HttpContext http, ChatService chat, CancellationToken ct) =>
                TypedResults.Ok(await chat.ListUsersAsync(await ApiViewer.OfAsync(http).ConfigureAwait(false), ct).ConfigureAwait(false)))
            .WithTags("Users").WithName("ListUsers").WithSummary("Lists connected users: nick, transport, rooms, remote address, account")
            .WithDescription("A user's private rooms are listed only to a reader who may see them (the admin key, or a token whose account may join).");
        return api;
    }
}
