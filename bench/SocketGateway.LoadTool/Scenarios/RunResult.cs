namespace SocketGateway.LoadTool.Scenarios;

/// <summary>One measured run; fields that do not apply to a mode stay null. Serialized as one JSON line.</summary>
public sealed record RunResult
{
    public required string Name { get; init; }

    public required string Mode { get; init; }

    public required string Description { get; init; }

    public string Storage { get; init; } = "memory";

    public int Repeat { get; init; }

    public double? DeliveriesPerSecond { get; init; }

    public double? MessagesPerSecond { get; init; }

    public double? P50Ms { get; init; }

    public double? P99Ms { get; init; }

    public double? MaxMs { get; init; }

    public long? Sent { get; init; }

    public long? Lost { get; init; }

    public int? Disconnected { get; init; }

    public int? Connections { get; init; }

    public double? EstablishSeconds { get; init; }

    public double? RssBytesPerConnection { get; init; }

    public double? ServerRssMb { get; init; }

    public double? ServerCpuCores { get; init; }

    /// <summary>CPU per measured process when there are several (cluster runs: node-a, node-b, redis).</summary>
    public IReadOnlyDictionary<string, double>? ProcessCpuCores { get; init; }

    /// <summary>Redis commands run per published message, all commands together (cluster runs).</summary>
    public double? RedisCommandsPerMessage { get; init; }

    /// <summary>Calls per Redis command while publishing, from <c>INFO commandstats</c> (cluster runs).</summary>
    public IReadOnlyDictionary<string, long>? RedisCallsByCommand { get; init; }

    public double? ToolCpuCores { get; init; }

    /// <summary>CPU the rest of the machine used meanwhile (other processes: a sign of a shared, noisy machine).</summary>
    public double? OtherCpuCores { get; init; }

    public string? Error { get; init; }
}
