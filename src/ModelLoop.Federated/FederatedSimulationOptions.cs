namespace ModelLoop.Federated;

/// <summary>How <see cref="FederatedSimulation"/> simulates data owners and records the run.</summary>
public sealed record FederatedSimulationOptions
{
    /// <summary>Data owners the training data is split among. Defaults to 10.</summary>
    public int Clients { get; init; } = 10;
    /// <summary>Dirichlet concentration α of the non-IID split (0.1 very skewed, 1.0 mild). Defaults to 0.5.</summary>
    public double Alpha { get; init; } = 0.5;
    /// <summary>Rounds to run. Defaults to 20.</summary>
    public int Rounds { get; init; } = 20;
    /// <summary>How rounds run (algorithm, fraction, local epochs, secure aggregation, DP). Defaults to FedAvg over all owners.</summary>
    public FederatedOptions Federated { get; init; } = new();
    /// <summary>Client-level DP target ε after all rounds; calibrates the noise multiplier with the RDP accountant. Defaults to null (no DP).</summary>
    public double? DpEpsilon { get; init; }
    /// <summary>Client-level DP δ. Defaults to 1e-5.</summary>
    public double DpDelta { get; init; } = 1e-5;
    /// <summary>Client-level DP clipping norm C of each owner's update. Defaults to 1.</summary>
    public double DpClipNorm { get; init; } = 1.0;
    /// <summary>The run folder (job store, rounds.csv, summary.json, artifact/). Defaults to runs/federate.</summary>
    public string OutputDirectory { get; init; } = Path.Combine("runs", "federate");
    /// <summary>The job id on the coordinator. Defaults to "federate".</summary>
    public string Job { get; init; } = "federate";
    /// <summary>Run store and registry folder. Defaults to null: <see cref="Storage.ModelLoopHome.Resolve"/>.</summary>
    public string? Home { get; init; }
    /// <summary>Record the run (per-round metrics, bytes) in the run store. Defaults to true.</summary>
    public bool Track { get; init; } = true;
    /// <summary>Coordinator silo port; 0 picks a free one. Defaults to 0.</summary>
    public int SiloPort { get; init; }
    /// <summary>Coordinator gateway port, where owner processes connect; 0 picks a free one. Defaults to 0.</summary>
    public int GatewayPort { get; init; }
    /// <summary>
    /// Owners run as separate processes (<c>modelloop federate-client</c>) instead of in this one: the coordinator waits
    /// for <see cref="Clients"/> of them to connect. Defaults to false.
    /// </summary>
    public bool ExternalClients { get; init; }
    /// <summary>How long to wait for external owners to connect. Defaults to 10 minutes.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Receives one line per event (owners, rounds). Defaults to null (silent).</summary>
    public Action<string>? Log { get; init; }

    public FederatedSimulationOptions Validate()
    {
        if (Clients < 2)
            throw new ArgumentException($"--clients must be at least 2 (a federation of one is centralized training); received {Clients}.");
        if (!(Alpha > 0) || double.IsInfinity(Alpha))
            throw new ArgumentException($"--dirichlet (α) must be a finite number > 0; received {Alpha}. Use 0.1 (very non-IID), 0.5 or 1.0.");
        if (Rounds < 1)
            throw new ArgumentException($"--rounds must be at least 1; received {Rounds}.");
        if (DpEpsilon is { } epsilon && (!(epsilon > 0) || double.IsInfinity(epsilon)))
            throw new ArgumentException($"--dp-epsilon must be a finite number > 0; received {epsilon}. Use e.g. 3 or 8 (smaller is more private).");
        if (!(DpDelta > 0 && DpDelta < 1))
            throw new ArgumentException($"--dp-delta must be in (0, 1); received {DpDelta}. Use less than 1 / clients.");
        if (DpEpsilon is not null && DpDelta >= 1.0 / Clients)
            throw new ArgumentException($"--dp-delta {DpDelta} is not below 1 / clients (1/{Clients}); client-level DP protects whole owners, so δ must be smaller than 1/{Clients}. Use e.g. 1e-5.");
        if (!(DpClipNorm > 0))
            throw new ArgumentException($"--dp-clip-norm must be > 0; received {DpClipNorm}.");
        if (SiloPort is < 0 or > 65535 || GatewayPort is < 0 or > 65535)
            throw new ArgumentException($"Ports must be in 0..65535 (0 picks a free one); received silo {SiloPort}, gateway {GatewayPort}.");
        Federated.Validate();
        return this;
    }
}
