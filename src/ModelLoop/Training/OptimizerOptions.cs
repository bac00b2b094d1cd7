using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ModelLoop.Training;

/// <summary>The optimization algorithms <see cref="OptimizerOptions"/> can create.</summary>
public enum OptimizerKind
{
    Sgd,
    Adam,
    AdamW,
    RmsProp,
}

/// <summary>
/// Which optimizer to use and its settings. Create with <see cref="Sgd"/>, <see cref="Adam"/>,
/// <see cref="AdamW"/>, <see cref="RmsProp"/>, or from a name: <c>OptimizerOptions x = "adam";</c>.
/// </summary>
public sealed record OptimizerOptions
{
    public OptimizerKind Kind { get; init; }
    /// <summary>Step size. Defaults: SGD 0.01, Adam/AdamW/RMSprop 0.001.</summary>
    public double LearningRate { get; init; }
    /// <summary>SGD and RMSprop momentum. Defaults to 0.</summary>
    public double Momentum { get; init; }
    /// <summary>Nesterov momentum for SGD. Defaults to false.</summary>
    public bool Nesterov { get; init; }
    /// <summary>L2 penalty (decoupled for AdamW). Defaults to 0 (AdamW: 0.01).</summary>
    public double WeightDecay { get; init; }
    /// <summary>
    /// When true, weight decay applies only to parameters of two or more dimensions (matrix and convolution weights,
    /// embeddings); biases and normalisation scales and shifts (vectors) train without it, as nanoGPT and most
    /// transformer recipes do: decaying a LayerNorm's scale towards 0 fights the normalisation. The trainer puts each
    /// group's vectors in a group of their own named "NAME.no_decay". Defaults to false (every parameter decays).
    /// </summary>
    public bool DecayMatricesOnly { get; init; }
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;
    /// <summary>RMSprop smoothing constant. Defaults to 0.99.</summary>
    public double Alpha { get; init; } = 0.99;

    public static OptimizerOptions Sgd(double learningRate = 0.01, double momentum = 0, bool nesterov = false, double weightDecay = 0) =>
        new() { Kind = OptimizerKind.Sgd, LearningRate = learningRate, Momentum = momentum, Nesterov = nesterov, WeightDecay = weightDecay };

    public static OptimizerOptions Adam(double learningRate = 1e-3, double weightDecay = 0) =>
        new() { Kind = OptimizerKind.Adam, LearningRate = learningRate, WeightDecay = weightDecay };

    public static OptimizerOptions AdamW(double learningRate = 1e-3, double weightDecay = 0.01) =>
        new() { Kind = OptimizerKind.AdamW, LearningRate = learningRate, WeightDecay = weightDecay };

    public static OptimizerOptions RmsProp(double learningRate = 1e-3, double momentum = 0, double weightDecay = 0) =>
        new() { Kind = OptimizerKind.RmsProp, LearningRate = learningRate, Momentum = momentum, WeightDecay = weightDecay };

    /// <summary>By name with default settings: sgd, adam, adamw, rmsprop (case-insensitive).</summary>
    public static OptimizerOptions Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "sgd" => Sgd(),
        "adam" => Adam(),
        "adamw" => AdamW(),
        "rmsprop" => RmsProp(),
        _ => throw new ArgumentException($"Unknown optimizer '{name}'. Expected one of: sgd, adam, adamw, rmsprop; or pass OptimizerOptions.Sgd(...) etc. for settings.", nameof(name)),
    };

    public static implicit operator OptimizerOptions(string name) => Parse(name);

    /// <summary>The optimizer over <paramref name="groups"/>, each at its own learning rate and weight decay.</summary>
    internal TorchSharp.Modules.OptimizerHelper Create(IReadOnlyList<OptimizerGroup> groups)
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new ArgumentException($"LearningRate must be a positive finite number; received {LearningRate}. Typical values: 0.1–0.001 for SGD, 1e-3–1e-4 for Adam.");
        if (Momentum < 0 || WeightDecay < 0)
            throw new ArgumentException($"Momentum and WeightDecay must not be negative; received Momentum={Momentum}, WeightDecay={WeightDecay}.");
        if (Nesterov && (Kind != OptimizerKind.Sgd || Momentum <= 0))
            throw new ArgumentException("Nesterov needs SGD with Momentum > 0; received " + (Kind != OptimizerKind.Sgd ? $"optimizer {Kind}." : $"Momentum={Momentum}."));
        foreach (var group in groups)
            group.LearningRate = LearningRate * group.LearningRateScale;
        IEnumerable<TorchSharp.Modules.Parameter> Parameters(OptimizerGroup group) => group.Parameters.Select(p => p.Parameter);
        return Kind switch
        {
            OptimizerKind.Sgd => optim.SGD(
                groups.Select(g => new TorchSharp.Modules.SGD.ParamGroup(Parameters(g), new TorchSharp.Modules.SGD.Options { LearningRate = g.LearningRate, weight_decay = g.WeightDecay })),
                LearningRate, Momentum, weight_decay: WeightDecay, nesterov: Nesterov),
            OptimizerKind.Adam => optim.Adam(
                groups.Select(g => new TorchSharp.Modules.Adam.ParamGroup(Parameters(g), new TorchSharp.Modules.Adam.Options { LearningRate = g.LearningRate, weight_decay = g.WeightDecay })),
                LearningRate, Beta1, Beta2, Epsilon, WeightDecay),
            OptimizerKind.AdamW => optim.AdamW(
                groups.Select(g => new TorchSharp.Modules.AdamW.ParamGroup(Parameters(g), new TorchSharp.Modules.AdamW.Options { LearningRate = g.LearningRate, weight_decay = g.WeightDecay })),
                LearningRate, Beta1, Beta2, Epsilon, WeightDecay),
            OptimizerKind.RmsProp => optim.RMSProp(
                groups.Select(g => new TorchSharp.Modules.RMSProp.ParamGroup(Parameters(g), new TorchSharp.Modules.RMSProp.Options { LearningRate = g.LearningRate, weight_decay = g.WeightDecay })),
                LearningRate, Alpha, Epsilon, WeightDecay, Momentum),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown optimizer kind."),
        };
    }
}
