using SocketGateway.Core.Events;
using SocketGateway.Core.Sessions;

namespace SocketGateway.Core.Rooms;

/// <summary>
/// A room: its settings, its members and its message counter. The member list is copied on change so that a
/// broadcast walks a stable array without taking a lock; changes happen under the core's membership lock.
/// </summary>
public sealed class Room(string name, string? topic, int? maxMembers, DateTimeOffset createdAt, long lastMessageId)
{
    private ChatSession[] _members = [];
    private long _lastMessageId = lastMessageId;

    public string Name { get; } = name;

    public string? Topic { get; internal set; } = topic;

    public int? MaxMembers { get; internal set; } = maxMembers;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    /// <summary>Held while a message gets its id and is published, so every member sees ids in order.</summary>
    internal Lock SendGate { get; } = new();

    public ChatSession[] Members => Volatile.Read(ref _members);

    public int Count => Members.Length;

    public bool IsFull => MaxMembers is int max && Count >= max;

    /// <summary>The id of the last message published here (under <see cref="SendGate"/>).</summary>
    public long LastMessageId => Volatile.Read(ref _lastMessageId);

    internal void Published(long messageId) => Volatile.Write(ref _lastMessageId, messageId);

    internal void Add(ChatSession session) => Volatile.Write(ref _members, [.. _members, session]);

    internal void Remove(ChatSession session) =>
        Volatile.Write(ref _members, Array.FindAll(_members, m => !ReferenceEquals(m, session)));

    internal void Clear() => Volatile.Write(ref _members, []);

    public RoomInfo ToInfo() => new(Name, Topic, Count, MaxMembers, CreatedAt);
}
