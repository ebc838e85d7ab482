namespace SocketGateway.Core;

/// <summary>A refusal of the room core, carrying one of <see cref="ErrorCodes"/>.</summary>
public sealed class ChatException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
