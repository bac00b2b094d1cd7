namespace ModelLoop.Federated;

/// <summary>What a <see cref="FederatedSimulation"/> run left: the run folder, the model package, every round, the test metrics.</summary>
public sealed record FederatedSimulationResult
{
    public required string RunDirectory { get; init; }
    public required string PackagePath { get; init; }
    public required IReadOnlyList<FederatedRound> Rounds { get; init; }
    /// <summary>The final global model's loss and metrics on the test part.</summary>
    public required IReadOnlyDictionary<string, double> Test { get; init; }
    /// <summary>Client-level DP's noise multiplier σ, or null without DP.</summary>
    public double? NoiseMultiplier { get; init; }
    /// <summary>Client-level DP's ε spent after all rounds (RDP accountant), or null without DP.</summary>
    public double? Epsilon { get; init; }
    public string? RunId { get; init; }
    public double Seconds { get; init; }
    /// <summary>Total bytes of weights sent to owners and of updates (and secure-aggregation messages) sent by them.</summary>
    public long BytesDown => Rounds.Sum(r => r.Report.BytesDown);
    public long BytesUp => Rounds.Sum(r => r.Report.BytesUp);
    /// <summary>Bytes of Orleans messages the coordinator's process read from the network (<see cref="Hosting.WireTraffic"/>): with owners in other processes, all they sent; 0 when every owner ran in-process.</summary>
    public long WireBytesReceived { get; init; }
    /// <summary>Bytes of Orleans messages the coordinator's process wrote to the network.</summary>
    public long WireBytesSent { get; init; }
}
