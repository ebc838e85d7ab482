namespace SocketGateway.Tests.Infrastructure;

/// <summary>Every await in a test is bounded, so a hang fails fast instead of stalling CI.</summary>
public static class Timeouts
{
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan Start = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan Stop = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait before deciding that something did not arrive.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);
}
