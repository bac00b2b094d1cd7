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

    /// <summary>
    /// Which parameters train, by name (e.g. <c>name =&gt; name.StartsWith("4.")</c> to fine-tune only the layer at
    /// index 4, or only the adapter weights of a LoRA model). <c>Fit</c> sets requires_grad from it; parameters it
    /// rejects get no gradient and stay out of the optimizer. Defaults to null: each parameter trains as its
    /// requires_grad says (all of them, unless frozen by hand).
    /// </summary>
    public Func<string, bool>? Trainable { get; init; }

    /// <summary>
    /// Groups of parameters with their own learning-rate scale and weight decay; a parameter joins the first group
    /// whose predicate matches its name, and the others keep the optimizer's settings. The schedule and
    /// <c>ReduceLROnPlateau</c> scale every group's rate in proportion. Defaults to none (one group).
    /// </summary>
    public IReadOnlyList<ParameterGroup> ParameterGroups { get; init; } = [];
}
