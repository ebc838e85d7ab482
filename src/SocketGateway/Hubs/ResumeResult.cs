namespace SocketGateway.Hubs;

/// <summary>
/// The answer to the hub's <c>Resume</c>: who this connection is now, how many events were replayed, and the token
/// for the next drop (the one used is spent).
/// </summary>
public sealed record ResumeResult(string Nick, string? Account, IReadOnlyList<string> Rooms, int Missed, string ResumeToken);
