using SocketGateway.Core;
using SocketGateway.Core.Storage;

namespace SocketGateway.Api;

/// <summary>A room's invites, bans and operators, by account id (contract, "Identity and access"); admin only.</summary>
public static class RoomAccessApi
{
    private static readonly (string Segment, string Kind, string Meaning, string Undone)[] Grants =
    [
        ("invites", GrantKinds.Invite, "may join the private room", "may no longer join the private room (members stay)"),
        ("bans", GrantKinds.Ban, "is removed from the room and may not join it again", "may join the room again"),
        ("operators", GrantKinds.Operator, "may /kick, /ban and set the topic from any transport", "no longer moderates the room"),
    ];

    public static RouteGroupBuilder MapRoomAccessApi(this RouteGroupBuilder rooms)
    {
        foreach (var (segment, kind, meaning, undone) in Grants)
        {
            var name = char.ToUpperInvariant(segment[0]) + segment[1..^1];
            // Who is invited to or banned from a private room is no loopback read: the admin key or an admin token.
            rooms.MapGet($"/{{room}}/{segment}", async (string room, HttpContext http, ChatService chat) =>
                    (await ApiViewer.OfAsync(http).ConfigureAwait(false)).IsAdmin
                        ? (IResult)TypedResults.Ok(chat.ListGrants(room, kind))
                        : ApiErrors.Problem(ErrorCodes.Unauthorized, $"listing {segment} needs the admin key ({AdminAccessFilter.HeaderName}) or an admin token"))
                .WithName($"List{name}s").WithSummary($"The accounts that {meaning} (admin key or admin token)")
                .ProducesProblem(StatusCodes.Status404NotFound);

            rooms.MapPut($"/{{room}}/{segment}/{{account}}", async (string room, string account, ChatService chat, CancellationToken ct) =>
                {
                    await chat.SetGrantAsync(room, account, kind, granted: true, ct).ConfigureAwait(false);
                    return TypedResults.NoContent();
                })
                .WithName($"Add{name}").WithSummary($"The account {meaning} (204; again is no error)")
                .AddEndpointFilter<AdminAccessFilter>()
                .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

            rooms.MapDelete($"/{{room}}/{segment}/{{account}}", async (string room, string account, ChatService chat, CancellationToken ct) =>
                {
                    await chat.SetGrantAsync(room, account, kind, granted: false, ct).ConfigureAwait(false);
                    return TypedResults.NoContent();
                })
                .WithName($"Remove{name}").WithSummary($"The account {undone} (204)")
                .AddEndpointFilter<AdminAccessFilter>()
                .ProducesProblem(StatusCodes.Status404NotFound);
        }

        return rooms;
    }
}
