namespace ModelLoop.Training;

/// <summary>What <c>Compile</c> fixes about training: optimizer, loss, metrics and regularization.</summary>
public sealed record CompileOptions
{
    /// <summary>Defaults to Adam with learning rate 0.001.</summary>
    public OptimizerOptions Optimizer { get; init; } = OptimizerOptions.Adam();
    /// <summary>Defaults to cross-entropy.</summary>
    public Loss Loss { get; init; } = Loss.CrossEntropy();
    /// <summary>Reported per epoch for training and validation data. Defaults to none.</summary>
    public IReadOnlyList<MetricSpec> Metrics { get; init; } = [];
    /// <summary>Rescales gradients whose global L2 norm exceeds this. Defaults to null (no clipping).</summary>
    public double? ClipGradientNorm { get; init; }
    /// <summary>Clamps every gradient value to ±this. Defaults to null (no clipping).</summary>
    public double? ClipGradientValue { get; init; }
    /// <summary>L1 penalty λ·Σ|w| over weight matrices and kernels (not biases or norms). Defaults to 0.</summary>
    public double L1 { get; init; }
    /// <summary>L2 penalty λ·Σw² over weight matrices and kernels (not biases or norms). Defaults to 0.</summary>
    public double L2 { get; init; }
}
