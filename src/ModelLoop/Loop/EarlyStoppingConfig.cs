namespace ModelLoop.Loop;

/// <summary>Stop when a monitored validation metric stops improving (<see cref="Training.Callbacks.EarlyStopping"/>).</summary>
public sealed record EarlyStoppingConfig
{
    /// <summary>Defaults to val_loss.</summary>
    public string Monitor { get; init; } = "val_loss";
    /// <summary>Epochs without improvement before stopping. Defaults to 3.</summary>
    public int Patience { get; init; } = 3;
    /// <summary>Restore the best epoch's weights at the end. Defaults to true.</summary>
    public bool RestoreBestWeights { get; init; } = true;
}
