using ModelLoop.Federated.Aggregation;

namespace ModelLoop.Federated;

/// <summary>How a federated job runs its rounds. Every setting has a default; <see cref="Validate"/> names the field that is wrong.</summary>
[GenerateSerializer, Immutable]
public sealed record FederatedOptions
{
    /// <summary>Defaults to <see cref="FederatedAlgorithm.FedAvg"/>.</summary>
    [Id(0)] public FederatedAlgorithm Algorithm { get; init; } = FederatedAlgorithm.FedAvg;
    /// <summary>Share of the registered data owners sampled each round, in (0, 1]. Defaults to 1 (all).</summary>
    [Id(1)] public double Fraction { get; init; } = 1.0;
    /// <summary>Local epochs each sampled owner trains per round. Defaults to 1.</summary>
    [Id(2)] public int LocalEpochs { get; init; } = 1;
    /// <summary>FedProx's proximal weight μ (used by <see cref="FederatedAlgorithm.FedProx"/> only). Defaults to 0.01.</summary>
    [Id(3)] public double Mu { get; init; } = 0.01;
    /// <summary>Server learning rate η applied to the averaged update. Defaults to 1 (plain FedAvg).</summary>
    [Id(4)] public double ServerLearningRate { get; init; } = 1.0;
    /// <summary>Server momentum β of <see cref="FederatedAlgorithm.FedAvgM"/>. Defaults to 0.9.</summary>
    [Id(5)] public double ServerMomentum { get; init; } = 0.9;
    /// <summary>How long a round waits for a sampled owner; later owners are dropped from the round. Defaults to 10 minutes.</summary>
    [Id(6)] public TimeSpan StragglerTimeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Fewest owners whose updates make a round; fewer and the round fails (the job keeps its last round). Defaults to 1.</summary>
    [Id(7)] public int MinClients { get; init; } = 1;
    /// <summary>Aggregate with secure aggregation (Bonawitz et al. 2017): the coordinator sees only the sum. Defaults to false.</summary>
    [Id(8)] public bool SecureAggregation { get; init; }
    /// <summary>
    /// Secure aggregation's Shamir threshold as a share of a round's sampled owners: the round survives up to
    /// (1 − this) of them dropping out. Defaults to 0.5 (t = ⌊m/2⌋ + 1, at least 2).
    /// </summary>
    [Id(9)] public double SecureThreshold { get; init; } = 0.5;
    /// <summary>Values per chunk when weights and updates travel (Orleans message size). Defaults to 65,536 (256 KiB of float32).</summary>
    [Id(10)] public int ChunkSize { get; init; } = 65_536;
    /// <summary>Seeds client sampling and local shuffling. Defaults to 1.</summary>
    [Id(11)] public long Seed { get; init; } = 1;
    /// <summary>Client-level DP: each owner's update is clipped to this L2 norm. Defaults to null (no DP).</summary>
    [Id(12)] public double? DpClipNorm { get; init; }
    /// <summary>Client-level DP: Gaussian noise of σ = this × <see cref="DpClipNorm"/> on the sum. Defaults to null (no DP).</summary>
    [Id(13)] public double? DpNoiseMultiplier { get; init; }

    /// <summary>Shamir threshold for <paramref name="sampled"/> owners.</summary>
    public int Threshold(int sampled) => Math.Min(sampled, Math.Max(2, (int)Math.Floor(sampled * SecureThreshold) + 1));

    public FederatedOptions Validate()
    {
        if (!(Fraction > 0 && Fraction <= 1))
            throw new ArgumentException($"Fraction (--fraction) must be in (0, 1] (the share of data owners sampled per round); received {Fraction}. Use e.g. 0.5, or 1 for all owners.");
        if (LocalEpochs < 1)
            throw new ArgumentException($"LocalEpochs (--local-epochs) must be at least 1; received {LocalEpochs}.");
        if (!(Mu >= 0) || double.IsInfinity(Mu))
            throw new ArgumentException($"Mu (--mu, FedProx's proximal weight) must be a finite number ≥ 0; received {Mu}. Li et al. 2020 use 0.001–1.");
        if (!(ServerLearningRate > 0) || double.IsInfinity(ServerLearningRate))
            throw new ArgumentException($"ServerLearningRate (--server-lr) must be > 0; received {ServerLearningRate}. Use 1 for plain FedAvg.");
        if (!(ServerMomentum >= 0 && ServerMomentum < 1))
            throw new ArgumentException($"ServerMomentum (--server-momentum) must be in [0, 1); received {ServerMomentum}. Hsu et al. 2019 use 0.9.");
        if (StragglerTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"StragglerTimeout (--straggler-timeout) must be positive; received {StragglerTimeout}.");
        if (MinClients < 1)
            throw new ArgumentException($"MinClients must be at least 1; received {MinClients}.");
        if (!(SecureThreshold > 0 && SecureThreshold < 1))
            throw new ArgumentException($"SecureThreshold must be in (0, 1); received {SecureThreshold}. 0.5 survives just under half the owners dropping out.");
        if (ChunkSize < 1024)
            throw new ArgumentException($"ChunkSize must be at least 1,024 values; received {ChunkSize}.");
        if ((DpClipNorm is null) != (DpNoiseMultiplier is null))
            throw new ArgumentException("Client-level DP needs both DpClipNorm and DpNoiseMultiplier (or neither); received only one. `modelloop federate --dp-epsilon` sets both.");
        if (DpClipNorm is { } clip && !(clip > 0))
            throw new ArgumentException($"DpClipNorm must be > 0; received {clip}.");
        if (DpNoiseMultiplier is { } sigma && !(sigma >= 0))
            throw new ArgumentException($"DpNoiseMultiplier must be ≥ 0; received {sigma}.");
        return this;
    }
}
