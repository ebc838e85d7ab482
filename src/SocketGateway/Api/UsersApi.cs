using SocketGateway.Core;

namespace SocketGateway.Api;

public static class UsersApi
{
    public static RouteGroupBuilder MapUsersApi(this RouteGroupBuilder api)
    {
        api.MapGet("/users", (ChatService chat) => TypedResults.Ok(chat.ListUsers()))
            .WithTags("Users").WithName("ListUsers").WithSummary("Lists connected users: nick, transport, rooms, remote address");
        return api;
    }
}
