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

    public double? ToolCpuCores { get; init; }

    /// <summary>CPU the rest of the machine used meanwhile (other processes: a sign of a shared, noisy machine).</summary>
    public double? OtherCpuCores { get; init; }

    public string? Error { get; init; }
}
