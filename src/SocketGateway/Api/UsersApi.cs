using SocketGateway.Core;

namespace SocketGateway.Api;

public static class UsersApi
{
    public static RouteGroupBuilder MapUsersApi(this RouteGroupBuilder api)
    {
        api.MapGet("/users", async (ChatService chat, CancellationToken ct) => TypedResults.Ok(await chat.ListUsersAsync(ct).ConfigureAwait(false)))
            .WithTags("Users").WithName("ListUsers").WithSummary("Lists connected users: nick, transport, rooms, remote address");
        return api;
    }
}
