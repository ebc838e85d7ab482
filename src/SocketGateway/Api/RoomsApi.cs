using Microsoft.AspNetCore.Http.HttpResults;
using SocketGateway.Core;
using SocketGateway.Core.Events;

namespace SocketGateway.Api;

public static class RoomsApi
{
    public static RouteGroupBuilder MapRoomsApi(this RouteGroupBuilder api)
    {
        var rooms = api.MapGroup("/rooms").WithTags("Rooms");

        rooms.MapGet("/", async (HttpContext http, ChatService chat, CancellationToken ct) =>
                TypedResults.Ok(await chat.ListRoomsAsync(await ApiViewer.OfAsync(http).ConfigureAwait(false), ct).ConfigureAwait(false)))
            .WithName("ListRooms").WithSummary("Lists the rooms with their topics and member counts")
            .WithDescription(PrivateRoomsNote);

        rooms.MapPost("/", async (CreateRoomRequest body, ChatService chat, CancellationToken ct) =>
            {
                var room = await chat.CreateRoomAsync(body.Name, body.Topic, body.MaxMembers, ct, body.Private == true).ConfigureAwait(false);
                return TypedResults.Created($"/api/rooms/{room.Name}", room);
            })
            .WithName("CreateRoom").WithSummary("Creates a room")
            .AddEndpointFilter<AdminAccessFilter>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);

        rooms.MapGet("/{room}", async (string room, HttpContext http, ChatService chat, CancellationToken ct) =>
                TypedResults.Ok(await chat.GetRoomAsync(room, await ApiViewer.OfAsync(http).ConfigureAwait(false), ct).ConfigureAwait(false)))
            .WithName("GetRoom").WithSummary("Gets one room").WithDescription(PrivateRoomsNote)
            .ProducesProblem(StatusCodes.Status404NotFound);

        rooms.MapPatch("/{room}", async (string room, PatchRoomRequest body, ChatService chat, CancellationToken ct) =>
                TypedResults.Ok(await chat.UpdateRoomAsync(room, body.ToChange(), ct).ConfigureAwait(false)))
            .WithName("UpdateRoom").WithSummary("Changes a room's topic or member limit; members get roomUpdated")
            .AddEndpointFilter<AdminAccessFilter>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        rooms.MapDelete("/{room}", async (string room, string? reason, ChatService chat, CancellationToken ct) =>
            {
                await chat.CloseRoomAsync(room, reason, ct).ConfigureAwait(false);
                return TypedResults.NoContent();
            })
            .WithName("CloseRoom").WithSummary("Closes a room: members get room_closed and are removed; its history is deleted")
            .AddEndpointFilter<AdminAccessFilter>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        rooms.MapGet("/{room}/members", async (string room, HttpContext http, ChatService chat, CancellationToken ct) =>
                TypedResults.Ok(await chat.ListMembersAsync(room, await ApiViewer.OfAsync(http).ConfigureAwait(false), ct).ConfigureAwait(false)))
            .WithName("ListMembers").WithSummary("Lists a room's members and how each is connected").WithDescription(PrivateRoomsNote)
            .ProducesProblem(StatusCodes.Status404NotFound);

        rooms.MapDelete("/{room}/members/{nick}", async (string room, string nick, ChatService chat, CancellationToken ct) =>
            {
                await chat.KickAsync(room, nick, ct).ConfigureAwait(false);
                return TypedResults.NoContent();
            })
            .WithName("KickMember").WithSummary("Removes a member from a room")
            .AddEndpointFilter<AdminAccessFilter>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        rooms.MapGet("/{room}/messages", async (string room, int? limit, long? before, long? after, HttpContext http, ChatService chat, CancellationToken ct) =>
            {
                var viewer = await ApiViewer.OfAsync(http).ConfigureAwait(false);
                return TypedResults.Ok(after is { } afterId
                    ? before is null
                        ? await chat.GetHistoryAfterAsync(room, afterId, limit ?? ChatService.MaxHistory, viewer, ct).ConfigureAwait(false)
                        : throw new ChatException(ErrorCodes.BadArgument, "give before or after, not both")
                    : await chat.GetHistoryAsync(room, limit ?? ChatService.DefaultHistory, viewer, before, ct).ConfigureAwait(false));
            })
            .WithName("ListMessages").WithSummary("A page of history, oldest first: the newest, before=<oldest id> for the page before, or after=<newest id> for what came after")
            .WithDescription(PrivateRoomsNote)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        rooms.MapPost("/{room}/messages", async Task<Results<Created<MessageEvent>, Accepted<MessageEvent>>> (string room, PostMessageRequest body, ChatService chat, CancellationToken ct) =>
            {
                var (message, stored) = await chat.PostAsSystemAsync(room, body.From, body.Text, ct).ConfigureAwait(false);
                var location = $"/api/rooms/{message.Room}/messages?before={message.Id + 1}&limit=1";
                return stored ? TypedResults.Created(location, message) : TypedResults.Accepted(location, message);
            })
            .WithName("PostMessage").WithSummary("Posts a message into a room as a system or bot user (via api)")
            .WithDescription("The message is delivered live at once. 201 means it is also committed to history (it survives a crash); "
                + "202 means it was delivered but the store has not committed it within 2 s (the store is failing or stalled; "
                + "/healthz says Degraded): it is kept for a retry, but a crash before the store recovers loses it from history.")
            .RequireRateLimiting(ApiRateLimiting.MessagesPolicy)
            .AddEndpointFilter<AdminAccessFilter>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        rooms.MapRoomAccessApi();
        return api;
    }

    private const string PrivateRoomsNote =
        "A private room is shown only to the admin key (X-Api-Key) and to a website token (Authorization: Bearer) whose account may join it; "
        + "to anyone else it does not exist (404 no_such_room).";
}
