namespace ModelLoop.Loop;

/// <summary>The optimizer of a run (<see cref="Training.OptimizerOptions"/> in serializable form).</summary>
public sealed record OptimizerConfig
{
    /// <summary>sgd, adam, adamw or rmsprop. Defaults to adam.</summary>
    public string Name { get; init; } = "adam";
    /// <summary>Defaults to null: the optimizer's own (adam 0.001, sgd 0.01).</summary>
    public double? LearningRate { get; init; }
    /// <summary>Momentum of sgd and rmsprop. Defaults to null (the optimizer's: 0).</summary>
    public double? Momentum { get; init; }
    /// <summary>Nesterov momentum for sgd. Defaults to false.</summary>
    public bool Nesterov { get; init; }
    /// <summary>Decoupled (adamw) or L2 (others) weight decay. Defaults to null (the optimizer's: adamw 0.01, else 0).</summary>
    public double? WeightDecay { get; init; }
    /// <summary>The second-moment decay of adam and adamw (nanoGPT uses 0.99 for small models). Defaults to null (the optimizer's: 0.999).</summary>
    public double? Beta2 { get; init; }
    /// <summary>
    /// Weight decay only on parameters of two or more dimensions, not on biases and norm parameters (nanoGPT's rule;
    /// <see cref="Training.OptimizerOptions.DecayMatricesOnly"/>). Defaults to null: false, but true in language-model
    /// runs (a config's language section).
    /// </summary>
    public bool? DecayMatricesOnly { get; init; }
}
