using SocketGateway.Core.Rooms;

namespace SocketGateway.Core.Tests.Rooms;

/// <summary>A holder hands a session over only once its room has reached the place the new node's receiver joined at.</summary>
public sealed class RoomPlaceTests
{
    [Fact]
    public async Task A_wait_for_a_place_ends_when_the_room_reaches_it_and_not_before()
    {
        var room = new Room("lobby", null, null, DateTimeOffset.UnixEpoch, 0);
        room.LastPlace = 5;
        Assert.True(room.WhenPlaced(5).IsCompleted);
        Assert.True(room.WhenPlaced(3).IsCompleted);

        var seven = room.WhenPlaced(7);
        var nine = room.WhenPlaced(9);
        room.LastPlace = 6;
        Assert.False(seven.IsCompleted);
        room.LastPlace = 8;
        await seven.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(nine.IsCompleted);
        room.LastPlace = 9;
        await nine.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
