using System.Text.Json.Serialization;
using SocketGateway.Core;

namespace SocketGateway.Api;

/// <summary>Body of <c>POST /api/rooms</c>; a private room admits only the accounts its tokens or invites name.</summary>
public sealed record CreateRoomRequest(string? Name, string? Topic, int? MaxMembers, bool? Private = null);

/// <summary>Body of <c>POST /api/rooms/{room}/messages</c>; <c>from</c> defaults to <c>api</c>.</summary>
public sealed record PostMessageRequest(string? From, string? Text);

/// <summary>Body of <c>PATCH /api/rooms/{room}</c>: a member left out stays as it is; null or "" clears a topic, null or 0 the member limit.</summary>
public sealed class PatchRoomRequest
{
    private string? _topic;
    private int? _maxMembers;

    public string? Topic
    {
        get => _topic;
        set
        {
            _topic = value;
            TopicSet = true;
        }
    }

    public int? MaxMembers
    {
        get => _maxMembers;
        set
        {
            _maxMembers = value;
            MaxMembersSet = true;
        }
    }

    /// <summary>Makes the room private or public; members already in it stay.</summary>
    public bool? Private { get; set; }

    [JsonIgnore]
    public bool TopicSet { get; private set; }

    [JsonIgnore]
    public bool MaxMembersSet { get; private set; }

    public RoomChange ToChange() => new(TopicSet, Topic, MaxMembersSet, MaxMembers, Private);
}
