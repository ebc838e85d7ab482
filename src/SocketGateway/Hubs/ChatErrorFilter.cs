using Microsoft.AspNetCore.SignalR;
using SocketGateway.Core;

namespace SocketGateway.Hubs;

/// <summary>Turns the core's refusals into HubExceptions whose message starts with the contract's code.</summary>
public sealed class ChatErrorFilter : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext).ConfigureAwait(false);
        }
        catch (ChatException e)
        {
            throw new HubException($"{e.Code}: {e.Message}");
        }
    }
}
