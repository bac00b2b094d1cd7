namespace ModelLoop.Loop;

/// <summary>Lower the learning rate when a monitored metric stops improving (<see cref="Training.Callbacks.ReduceLROnPlateau"/>).</summary>
public sealed record ReduceOnPlateauConfig
{
    /// <summary>Defaults to val_loss.</summary>
    public string Monitor { get; init; } = "val_loss";
    /// <summary>The rate is multiplied by this. Defaults to 0.1.</summary>
    public double Factor { get; init; } = 0.1;
    /// <summary>Epochs without improvement before lowering it. Defaults to 2.</summary>
    public int Patience { get; init; } = 2;
    /// <summary>The rate never goes below this. Defaults to 0.</summary>
    public double MinLearningRate { get; init; }
}
