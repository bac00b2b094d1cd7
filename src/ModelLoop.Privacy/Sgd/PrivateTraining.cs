using ModelLoop.Loop;

namespace ModelLoop.Privacy.Sgd;

/// <summary>
/// Runs a <see cref="TrainingConfig"/> with a privacy section through <see cref="TrainingJob"/>: adds the
/// <see cref="DpSgdPlugin"/> it describes (ε then goes into every epoch's logs, so progress and the tracked run's
/// metrics show it) and records the final guarantee in the model package's metrics (dp_epsilon, dp_delta,
/// dp_noise_multiplier, dp_max_grad_norm, dp_sample_rate, dp_steps), which the evaluation report of the package shows
/// (<see cref="DifferentialPrivacyAddOn"/>).
/// </summary>
public static class PrivateTraining
{
    /// <summary>Package-metric keys of the guarantee.</summary>
    public const string EpsilonMetric = "dp_epsilon", DeltaMetric = "dp_delta", NoiseMetric = "dp_noise_multiplier", ClipMetric = "dp_max_grad_norm",
        SampleRateMetric = "dp_sample_rate", StepsMetric = "dp_steps";

    /// <summary>Trains <paramref name="config"/>, privately when it has a privacy section.</summary>
    public static TrainingResult Run(TrainingConfig config, TrainingJobOptions? options = null) =>
        TrainingJob.Run(config, Options(config, options ?? new TrainingJobOptions()));

    /// <summary><paramref name="options"/> with the DP-SGD plugin of <paramref name="config"/>.Privacy added; unchanged without one.</summary>
    public static TrainingJobOptions Options(TrainingConfig config, TrainingJobOptions options)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        if (config.Privacy is not { } privacy)
            return options;
        privacy.Validate();
        var plugin = new DpSgdPlugin(new DpSgdOptions
        {
            TargetEpsilon = privacy.Epsilon,
            Delta = privacy.Delta,
            MaxGradNorm = privacy.MaxGradNorm,
            NoiseMultiplier = privacy.NoiseMultiplier,
        });
        var previous = options.PackageMetrics;
        return options with
        {
            Plugins = [plugin, .. options.Plugins],
            PackageMetrics = model =>
            {
                var metrics = previous?.Invoke(model)?.ToDictionary() ?? [];
                metrics[EpsilonMetric] = plugin.Epsilon;
                metrics[DeltaMetric] = privacy.Delta;
                metrics[NoiseMetric] = plugin.NoiseMultiplier;
                metrics[ClipMetric] = privacy.MaxGradNorm;
                metrics[SampleRateMetric] = plugin.SampleRate;
                metrics[StepsMetric] = plugin.Accountant.Steps;
                return metrics;
            },
        };
    }
}
