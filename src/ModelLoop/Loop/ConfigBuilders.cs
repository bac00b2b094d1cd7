using System.Globalization;
using ModelLoop.Artifacts;
using ModelLoop.Data.Augmentation;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Loop;

/// <summary>Turns the serializable parts of a <see cref="TrainingConfig"/> into the objects the trainer takes.</summary>
internal static class ConfigBuilders
{
    public static Model Model(ModelConfig config, Shape inputShape, int outputs)
    {
        if (config.Spec is { } spec)
            return Modeling.Model.FromSpec(ModelSpec.FromJson(spec.ToJsonString(), "model.spec"));
        var name = (config.Zoo ?? throw new ArgumentException("model.zoo or model.spec is required.")).Trim().ToLowerInvariant();
        return name switch
        {
            "mlp" => ModelZoo.Mlp(inputShape, outputs, config.Hidden, config.Dropout ?? 0.2),
            "keras-cnn" => ModelZoo.KerasCnn(inputShape, outputs, config.Width ?? 32),
            "bn-cnn" => ModelZoo.BatchNormCnn(inputShape, outputs, config.Width ?? 32, config.Stages, config.Dropout ?? 0.0),
            "resnet18" => ModelZoo.ResNet18(inputShape, outputs, config.Width ?? 64, config.Stages),
            _ => ModelZoo.Create(name, inputShape, outputs),
        };
    }

    public static OptimizerOptions Optimizer(OptimizerConfig config)
    {
        var options = OptimizerOptions.Parse(config.Name);
        if (config.LearningRate is { } rate)
            options = options with { LearningRate = rate };
        if (config.Momentum is { } momentum)
            options = options with { Momentum = momentum };
        if (config.WeightDecay is { } decay)
            options = options with { WeightDecay = decay };
        if (config.Beta2 is { } beta2)
            options = options with { Beta2 = beta2 };
        if (config.DecayMatricesOnly is { } matricesOnly)
            options = options with { DecayMatricesOnly = matricesOnly };
        return options with { Nesterov = config.Nesterov };
    }

    public static Loss Loss(TrainingConfig config) =>
        config.LabelSmoothing > 0 ? Training.Loss.CrossEntropy(config.LabelSmoothing) : Training.Loss.Parse(config.Loss);

    public static IReadOnlyList<MetricSpec> Metrics(TrainingConfig config) =>
        config.Metrics.Count > 0 ? config.Metrics.Select(m => new MetricSpec(m)).ToArray()
        : config.Task == ModelTask.Regression ? [new MetricSpec("mae")] : [new MetricSpec("accuracy")];

    public static LearningRateSchedule? Schedule(ScheduleConfig? config) => config?.Name.Trim().ToLowerInvariant().Replace("_", "-") switch
    {
        null or "constant" => null,
        "step" => LearningRateSchedule.Step(config.EveryEpochs, config.Gamma),
        "cosine" => LearningRateSchedule.Cosine(config.MinRate, config.WarmupFraction),
        "one-cycle" or "onecycle" => LearningRateSchedule.OneCycle(config.PeakFraction),
        var other => throw new ArgumentException($"schedule.name '{other}' is unknown; use constant, step, cosine or one-cycle."),
    };

    /// <summary>Augmentation names, applied in order: flip, crop (pads 4 and crops back), rotate (±10°), noise (σ 0.05), erase.</summary>
    public static Func<Tensor, Tensor>? Augmentation(IReadOnlyList<string> names)
    {
        if (names.Count == 0)
            return null;
        var steps = names.Select(name => name.Trim().ToLowerInvariant() switch
        {
            "flip" => (Augmentation)new RandomFlip(),
            "crop" => new RandomCrop(),
            "rotate" => new RandomRotation(),
            "noise" => new GaussianNoise(),
            "erase" => new RandomErasing(),
            var other => throw new ArgumentException($"augment '{other}' is unknown; use flip, crop, rotate, noise or erase."),
        }).ToArray();
        return Data.Augmentation.Augmentation.Compose(steps);
    }

    /// <summary>Each config group as a trainer group named after its prefix.</summary>
    public static IReadOnlyList<ParameterGroup> ParameterGroups(IReadOnlyList<ParameterGroupConfig>? groups) =>
        (groups ?? []).Select(g => new ParameterGroup(g.Match, name => name.StartsWith(g.Match, StringComparison.Ordinal))
        {
            LearningRateScale = g.LearningRateScale,
            WeightDecay = g.WeightDecay,
        }).ToArray();

    public static string Describe(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
