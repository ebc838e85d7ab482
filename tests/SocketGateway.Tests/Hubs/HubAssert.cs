using Microsoft.AspNetCore.SignalR;

namespace SocketGateway.Tests.Hubs;

internal static class HubAssert
{
    /// <summary>Asserts that the call fails with a HubException carrying the contract's error code.</summary>
    public static async Task<HubException> FailsAsync(string code, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<HubException>(call);
        Assert.Contains(code, error.Message, StringComparison.Ordinal);
        return error;
    }
}
