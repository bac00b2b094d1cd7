namespace ModelLoop.Federated.Grains;

/// <summary>What the coordinator asks of a sampled owner in one round.</summary>
[GenerateSerializer, Immutable]
public sealed record RoundPlan(
    [property: Id(0)] string Job,
    [property: Id(1)] int Round,
    [property: Id(2)] int LocalEpochs,
    [property: Id(3)] double Mu,
    [property: Id(4)] long Seed,
    [property: Id(5)] int Length,
    [property: Id(6)] int ChunkSize,
    [property: Id(7)] double WeightDenominator,
    [property: Id(8)] double? ClipNorm);

/// <summary>An owner's answer once its update (or masked input) is uploaded: how many samples it trained on, its loss, chunks sent.</summary>
[GenerateSerializer, Immutable]
public sealed record LocalReport([property: Id(0)] string Owner, [property: Id(1)] long Samples, [property: Id(2)] double Loss, [property: Id(3)] int Chunks);

/// <summary>What one finished round did.</summary>
[GenerateSerializer, Immutable]
public sealed record RoundReport
{
    [Id(0)] public int Round { get; init; }
    [Id(1)] public List<string> Sampled { get; init; } = [];
    [Id(2)] public List<string> Aggregated { get; init; } = [];
    /// <summary>Sampled owners that failed, disconnected or missed the straggler timeout.</summary>
    [Id(3)] public List<string> Dropped { get; init; } = [];
    /// <summary>Sample-weighted mean of the aggregated owners' last local-epoch loss.</summary>
    [Id(4)] public double TrainLoss { get; init; }
    /// <summary>Bytes of weights sent from the coordinator to owners.</summary>
    [Id(5)] public long BytesDown { get; init; }
    /// <summary>Bytes owners sent to the coordinator (updates or masked inputs, keys, shares).</summary>
    [Id(6)] public long BytesUp { get; init; }
    [Id(7)] public double Seconds { get; init; }
    [Id(8)] public bool Secure { get; init; }
    /// <summary>Update values clipped by the fixed-point range (secure aggregation), summed over owners.</summary>
    [Id(9)] public long Clipped { get; init; }
}

/// <summary>Where a job stands: finished rounds, model size, registered owners.</summary>
[GenerateSerializer, Immutable]
public sealed record JobState([property: Id(0)] int Round, [property: Id(1)] int Length, [property: Id(2)] string Fingerprint, [property: Id(3)] List<string> Owners);

/// <summary>What the coordinator persists of a job: its options, the model it trains (fingerprint, length).</summary>
[GenerateSerializer, Immutable]
public sealed record FederatedJobSpec([property: Id(0)] FederatedOptions Options, [property: Id(1)] string Fingerprint, [property: Id(2)] int Length);
