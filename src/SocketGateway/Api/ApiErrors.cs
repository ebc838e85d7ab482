using SocketGateway.Core;

namespace SocketGateway.Api;

/// <summary>REST errors are problem details whose <c>code</c> member holds the contract's code.</summary>
public static class ApiErrors
{
    public static int StatusFor(string code) => code switch
    {
        ErrorCodes.NoSuchRoom or ErrorCodes.NoSuchUser or ErrorCodes.NotInRoom => StatusCodes.Status404NotFound,
        ErrorCodes.RoomExists or ErrorCodes.Forbidden or ErrorCodes.NickTaken or ErrorCodes.RoomFull => StatusCodes.Status409Conflict,
        ErrorCodes.Unauthorized => StatusCodes.Status401Unauthorized,
        ErrorCodes.RateLimited => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status400BadRequest,
    };

    public static IResult Problem(string code, string detail, int? status = null) =>
        TypedResults.Problem(
            detail: detail,
            statusCode: status ?? StatusFor(code),
            title: code.Replace('_', ' '),
            extensions: new Dictionary<string, object?> { ["code"] = code });

    /// <summary>The code a bare status gets when the framework, not the core, refused the request.</summary>
    public static string? DefaultCodeFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => ErrorCodes.BadArgument,
        StatusCodes.Status401Unauthorized => ErrorCodes.Unauthorized,
        StatusCodes.Status403Forbidden => ErrorCodes.Forbidden,
        // A body that is not JSON at all is as much a bad argument as broken JSON.
        StatusCodes.Status415UnsupportedMediaType => ErrorCodes.BadArgument,
        StatusCodes.Status429TooManyRequests => ErrorCodes.RateLimited,
        _ => null,
    };
}

/// <summary>Catches the core's refusals on every API endpoint.</summary>
public sealed class ChatErrorEndpointFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (ChatException e)
        {
            return ApiErrors.Problem(e.Code, e.Message);
        }
    }
}
