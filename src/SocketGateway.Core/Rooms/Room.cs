using SocketGateway.Core.Events;
using SocketGateway.Core.Sessions;

namespace SocketGateway.Core.Rooms;

/// <summary>
/// A room: its settings, its members and its message counter. A broadcast walks a published snapshot of the member
/// list without taking a lock; changes happen under the core's membership lock. A join appends in place (the
/// array grows by doubling, so 10,000 joins do not copy 10,000 arrays) and a leave publishes a copy, so no slot a
/// published snapshot can see is ever written again.
/// </summary>
public sealed class Room(string name, string? topic, int? maxMembers, DateTimeOffset createdAt, long lastMessageId, bool isPrivate = false)
{
    private MemberList _members = MemberList.Empty;
    private long _lastMessageId = lastMessageId;
    private long _lastPlace;
    private List<(long Place, TaskCompletionSource Reached)>? _placeWaiters;

    public string Name { get; } = name;

    public string? Topic { get; internal set; } = topic;

    public int? MaxMembers { get; internal set; } = maxMembers;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    /// <summary>Only accounts the token or an invite lets in may join, see or read it (contract, "Identity and access").</summary>
    public bool IsPrivate { get; internal set; } = isPrivate;

    /// <summary>Its invites, bans and operators by account (changed under the core's membership lock).</summary>
    public RoomAccess Access { get; } = new();

    /// <summary>Held while a message gets its id and is published, so every member sees ids in order.</summary>
    internal Lock SendGate { get; } = new();

    public ReadOnlySpan<ChatSession> Members => Volatile.Read(ref _members).Span;

    public int Count => Volatile.Read(ref _members).Count;

    public bool IsFull => MaxMembers is int max && Count >= max;

    /// <summary>The id of the last message published here (under <see cref="SendGate"/>).</summary>
    public long LastMessageId => Volatile.Read(ref _lastMessageId);

    internal void Published(long messageId) => Volatile.Write(ref _lastMessageId, messageId);

    /// <summary>The place in the room's order of the last event handed to this node's members (a cluster; else 0), under the send gate.</summary>
    internal long LastPlace
    {
        get => _lastPlace;
        set
        {
            _lastPlace = value;
            if (_placeWaiters is { Count: > 0 } waiters)
            {
                waiters.RemoveAll(w => w.Place <= value && w.Reached.TrySetResult());
            }
        }
    }

    /// <summary>
    /// Completes once this node has handed out the room's events up to <paramref name="place"/> (a session handed to
    /// another node must not leave before it has what that node's members got before it came). Under the send gate.
    /// </summary>
    internal Task WhenPlaced(long place)
    {
        if (_lastPlace >= place)
        {
            return Task.CompletedTask;
        }

        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        (_placeWaiters ??= []).Add((place, reached));
        return reached.Task;
    }

    internal void Add(ChatSession session) => Volatile.Write(ref _members, _members.With(session));

    internal void Remove(ChatSession session) => Volatile.Write(ref _members, _members.Without(session));

    /// <summary>Puts <paramref name="to"/> in <paramref name="from"/>'s place in the member order (a session taken over).</summary>
    internal void Replace(ChatSession from, ChatSession to) => Volatile.Write(ref _members, _members.Replacing(from, to));

    internal void Clear() => Volatile.Write(ref _members, MemberList.Empty);

    public RoomInfo ToInfo() => new(Name, Topic, Count, MaxMembers, CreatedAt, IsPrivate);
}

/// <summary>
/// An immutable view of the first <see cref="Count"/> slots of an array that only its single writer appends to:
/// slots beyond a view's count may be filled later, slots within it never change.
/// </summary>
internal sealed class MemberList(ChatSession[] slots, int count)
{
    public static readonly MemberList Empty = new([], 0);

    public int Count { get; } = count;

    public ReadOnlySpan<ChatSession> Span => slots.AsSpan(0, Count);

    public MemberList With(ChatSession session)
    {
        var target = slots;
        if (Count == target.Length)
        {
            target = new ChatSession[Math.Max(4, Count * 2)];
            slots.AsSpan(0, Count).CopyTo(target);
        }

        target[Count] = session;
        return new MemberList(target, Count + 1);
    }

    public MemberList Replacing(ChatSession from, ChatSession to)
    {
        var index = Span.IndexOf(from);
        if (index < 0)
        {
            return With(to);
        }

        // A fresh array, as for a leave: earlier snapshots still read the old one.
        var copy = new ChatSession[Math.Max(4, slots.Length)];
        Span.CopyTo(copy);
        copy[index] = to;
        return new MemberList(copy, Count);
    }

    public MemberList Without(ChatSession session)
    {
        var index = Span.IndexOf(session);
        if (index < 0)
        {
            return this;
        }

        // A fresh array: the old one's slots are still being read through earlier snapshots.
        var copy = new ChatSession[Math.Max(4, Count)];
        Span[..index].CopyTo(copy);
        Span[(index + 1)..].CopyTo(copy.AsSpan(index));
        return new MemberList(copy, Count - 1);
    }
}
