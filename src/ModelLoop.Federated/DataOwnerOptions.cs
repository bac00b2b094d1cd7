namespace ModelLoop.Federated;

/// <summary>Test and simulation hooks of a <see cref="DataOwner"/>: failures and delays at chosen steps of a round.</summary>
public sealed record DataOwnerOptions
{
    /// <summary>Local epochs override; defaults to null (the round plan's).</summary>
    public int? LocalEpochs { get; init; }
    /// <summary>Throws (as a crashed owner would) when asked for this step; defaults to null (never).</summary>
    public DataOwnerStep? FailAt { get; init; }
    /// <summary>Waits this long before training (a straggler); defaults to zero.</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.Zero;
    /// <summary>Receives one line when the owner is asked to train a round and one when its update is uploaded. Defaults to null (silent).</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>The steps of a round an owner answers.</summary>
public enum DataOwnerStep
{
    Train,
    AdvertiseKeys,
    ShareKeys,
    /// <summary>After training, before the masked input is uploaded.</summary>
    MaskedInput,
    Unmask,
}
