using SocketGateway.Core.Events;

namespace SocketGateway.Core;

/// <summary>A message posted through the REST API: delivered live, and whether it is committed to history yet.</summary>
public sealed record PostedMessage(MessageEvent Message, bool Stored);
