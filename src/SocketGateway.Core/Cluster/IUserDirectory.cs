using SocketGateway.Core.Events;
using SocketGateway.Core.Sessions;

namespace SocketGateway.Core.Cluster;

/// <summary>
/// The gateway-wide part of who is connected: nick claims across nodes and the users of the other nodes. This node's
/// own sessions stay in <see cref="NickRegistry"/> and the rooms (always asked first, and always current); a single
/// node has nothing more to know (<see cref="LocalUserDirectory"/>). In a cluster the claims and the other nodes'
/// users live in Redis, written by each node for its own users.
/// </summary>
public interface IUserDirectory
{
    /// <summary>The name this node's users are listed under (<c>User.node</c>).</summary>
    string? NodeName { get; }

    /// <summary>Claims <paramref name="nick"/> for a session of this node; false when a user on another node has it.</summary>
    ValueTask<bool> TryClaimAsync(string nick, ChatSession session);

    /// <summary>Gives up a claim the session made (a rename, a disconnect); a claim it does not hold is left alone.</summary>
    void Release(string nick, ChatSession session);

    /// <summary>A session of this node took another's place (a resume): its claim on <paramref name="nick"/> moves with it.</summary>
    void Transfer(string nick, ChatSession from, ChatSession to);

    /// <summary>The owner a claim of <paramref name="session"/> is made with (a resume on another node hands a claim to it).</summary>
    ValueTask<string> ClaimOwnerAsync(ChatSession session);

    /// <summary>A held session of this node went to another node: its claim on <paramref name="nick"/> passes to <paramref name="owner"/> there, with no gap.</summary>
    void HandOver(string nick, ChatSession from, string owner);

    /// <summary>A session of this node took over a user handed over by another node: the claim passed to <paramref name="owner"/> is its own.</summary>
    void Adopt(string nick, ChatSession session, string owner);

    /// <summary>Whether a user on another node has <paramref name="nick"/>.</summary>
    ValueTask<bool> IsTakenElsewhereAsync(string nick);

    /// <summary>This node's session changed (connected, joined, left, renamed): the other nodes' lists show it so.</summary>
    void Update(ChatSession session);

    /// <summary>This node's session is gone.</summary>
    void Remove(ChatSession session);

    /// <summary>The users of the other live nodes.</summary>
    Task<IReadOnlyList<UserInfo>> ListElsewhereAsync(CancellationToken cancellationToken);
}

/// <summary>A single node: every user is here, so the local registries are the whole gateway.</summary>
public sealed class LocalUserDirectory(ThisNode node) : IUserDirectory
{
    public string? NodeName => node.IsNamed ? node.Name : null;

    public ValueTask<bool> TryClaimAsync(string nick, ChatSession session) => ValueTask.FromResult(true);

    public void Release(string nick, ChatSession session)
    {
    }

    public void Transfer(string nick, ChatSession from, ChatSession to)
    {
    }

    public ValueTask<string> ClaimOwnerAsync(ChatSession session) => ValueTask.FromResult(session.Id);

    public void HandOver(string nick, ChatSession from, string owner)
    {
    }

    public void Adopt(string nick, ChatSession session, string owner)
    {
    }

    public ValueTask<bool> IsTakenElsewhereAsync(string nick) => ValueTask.FromResult(false);

    public void Update(ChatSession session)
    {
    }

    public void Remove(ChatSession session)
    {
    }

    public Task<IReadOnlyList<UserInfo>> ListElsewhereAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<UserInfo>>([]);
}
