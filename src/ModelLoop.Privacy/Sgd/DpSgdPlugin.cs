using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ModelLoop.Data.Loading;
using ModelLoop.Privacy.Accounting;
using ModelLoop.Privacy.PerSample;
using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Privacy.Sgd;

/// <summary>
/// DP-SGD as a training-step plugin. The trainer Poisson-samples the batches (<see cref="Sampling"/>); during the
/// training forward pass the plugin captures each layer's activations, and before the optimizer step it replaces the
/// batch gradient with (Σ_i c_i·g_i + N(0, σ²C²)) / E[B], where g_i is sample i's gradient, c_i = min(1, C / ‖g_i‖)
/// and E[B] the expected batch size (Opacus's normalisation for Poisson batches). Every step is recorded in an
/// <see cref="RdpAccountant"/>; ε is added to every epoch's logs as "epsilon".
/// Usage: <c>model.Fit(train, new FitOptions { BatchSize = 1024, Plugins = [new DpSgdPlugin(new DpSgdOptions { TargetEpsilon = 3 })] })</c>.
/// </summary>
public sealed class DpSgdPlugin : StepPlugin
{
    /// <summary>The epoch-log key ε is reported under.</summary>
    public const string EpsilonKey = "epsilon";

    private PerSampleGradients? _perSample;
    private Generator? _noise;

    public DpSgdPlugin(DpSgdOptions options)
    {
        Options = Validate(options);
    }

    public DpSgdOptions Options { get; }

    /// <summary>The privacy spent so far, step by step.</summary>
    public RdpAccountant Accountant { get; } = new();

    /// <summary>σ in use: given, or calibrated in <see cref="OnTrainBegin"/>. NaN before training starts.</summary>
    public double NoiseMultiplier { get; private set; } = double.NaN;

    /// <summary>q = expected batch size / N. NaN before training starts.</summary>
    public double SampleRate { get; private set; } = double.NaN;

    /// <summary>ε spent so far at <see cref="DpSgdOptions.Delta"/>.</summary>
    public double Epsilon => Accountant.GetEpsilon(Options.Delta);

    public override BatchSampling Sampling => BatchSampling.Poisson;

    /// <summary>Receives per-layer timings of the clipping (see <see cref="PerSampleGradients"/>), for the bench. Defaults to null.</summary>
    internal Action<string, string, TimeSpan>? Profiler { get; init; }

    /// <inheritdoc/>
    public override bool EnforcesPrivacy => true;

    public override IReadOnlyList<string> LogKeys => [EpsilonKey];

    public override IReadOnlyDictionary<string, double>? EpochLogs(StepContext context) =>
        new Dictionary<string, double> { [EpsilonKey] = Epsilon };

    public override void OnTrainBegin(StepContext context)
    {
        var n = context.TrainingSamples;
        if (!(Options.Delta < 1.0 / n))
            throw new ArgumentException(
                $"delta must be below 1/N = {1.0 / n:G3} for N = {n} training samples; received delta = {Options.Delta:G3}. A δ of 1/N or more allows leaking one sample outright. " +
                $"What to do: set delta to at most {Math.Pow(10, Math.Floor(Math.Log10(0.1 / n))):G1} (e.g. --dp-delta).", nameof(DpSgdOptions.Delta));
        if (context.AccumulateGradientBatches != 1)
            throw new ArgumentException(
                $"DP-SGD needs one Poisson-sampled batch per step; received AccumulateGradientBatches = {context.AccumulateGradientBatches}. What to do: set it to 1 and raise BatchSize instead (per-sample gradients are not held in memory).");
        if (context.Model.Compiled is { } compiled && (compiled.L1 > 0 || compiled.L2 > 0 || compiled.ClipGradientNorm is not null || compiled.ClipGradientValue is not null))
            throw new ArgumentException(
                $"DP-SGD clips per sample and replaces the gradient, so CompileOptions L1 = {compiled.L1}, L2 = {compiled.L2}, ClipGradientNorm = {compiled.ClipGradientNorm?.ToString() ?? "null"}, ClipGradientValue = {compiled.ClipGradientValue?.ToString() ?? "null"} cannot apply. " +
                "What to do: leave them unset; use maxGradNorm for clipping and the optimizer's weight decay for regularisation.");

        SampleRate = Math.Min(1.0, (double)context.BatchSize / n);
        var steps = context.StepsPerEpoch * context.Epochs;
        NoiseMultiplier = Options.NoiseMultiplier ?? NoiseCalibration.NoiseMultiplier(Options.TargetEpsilon!.Value, Options.Delta, SampleRate, steps);

        _perSample?.Dispose();
        _perSample = PerSampleGradients.Attach(context.Model.Network, Options.GhostClipping);
        _perSample.Profiler = Profiler;
        var covered = _perSample.ParameterNames.ToHashSet();
        var missing = context.TrainableParameters.Select(p => p.Name).Where(name => !covered.Contains(name)).ToList();
        if (missing.Count > 0)
            throw new UnsupportedLayerException(missing[0], "parameter",
                $"DP-SGD has no per-sample gradient for trainable parameter(s) {string.Join(", ", missing)}. Layers with per-sample gradients: {PerSampleGradients.SupportedLayers}. What to do: freeze them or use supported layers.");
        _noise?.Dispose();
        _noise = new Generator().manual_seed(Options.NoiseSeed ?? BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)));
    }

    public override void OnTrainEnd(StepContext context)
    {
        _perSample?.Dispose();
        _perSample = null;
        _noise?.Dispose();
        _noise = null;
    }

    public override Tensor Forward(StepContext context, Tensor input, Func<Tensor, Tensor> next)
    {
        var perSample = PerSample();
        perSample.Capturing = true;
        try
        {
            return next(input);
        }
        finally
        {
            perSample.Capturing = false;
        }
    }

    public override void OnBeforeOptimizerStep(StepContext context)
    {
        var perSample = PerSample();
        var batch = perSample.BatchSize; // 0 for an empty Poisson batch: the step is pure noise
        IReadOnlyDictionary<string, Tensor> sums = new Dictionary<string, Tensor>();
        if (batch > 0)
        {
            using (no_grad())
            {
                // The compiled loss is a mean over the batch: backprops × B are those of the per-sample losses' sum.
                var norms = perSample.Norms(lossScale: batch);                              // (B)
                var factors = (Options.MaxGradNorm / (norms + 1e-6)).clamp_max(1.0);     // (B) c_i
                sums = perSample.WeightedSum(factors, lossScale: batch);
            }
        }
        var expectedBatch = SampleRate * context.TrainingSamples;
        var names = perSample.ParameterNames;
        var parameters = perSample.Parameters;
        using (no_grad())
        {
            for (var i = 0; i < names.Count; i++)
            {
                var p = parameters[i];
                var noise = randn(p.shape, dtype: p.dtype, device: p.device, generator: _noise) * (NoiseMultiplier * Options.MaxGradNorm);
                var sum = sums.TryGetValue(names[i], out var s) ? s.to(p.dtype) : zeros_like(p);
                p.grad = ((sum + noise) / expectedBatch).detach();
            }
        }
        perSample.Clear();
        Accountant.Step(NoiseMultiplier, SampleRate);
    }

    public override JsonNode? SaveState() => new JsonObject
    {
        ["noiseMultiplier"] = NoiseMultiplier,
        ["sampleRate"] = SampleRate,
        ["history"] = new JsonArray([.. Accountant.History.Select(h => (JsonNode)new JsonObject
        {
            ["noiseMultiplier"] = h.NoiseMultiplier,
            ["sampleRate"] = h.SampleRate,
            ["steps"] = h.Steps,
        })]),
    };

    public override void LoadState(JsonNode state)
    {
        NoiseMultiplier = state["noiseMultiplier"]!.GetValue<double>();
        SampleRate = state["sampleRate"]!.GetValue<double>();
        Accountant.Restore(state["history"]!.AsArray().Select(h => new RdpStep(
            h!["noiseMultiplier"]!.GetValue<double>(), h["sampleRate"]!.GetValue<double>(), h["steps"]!.GetValue<long>())));
    }

    private PerSampleGradients PerSample() =>
        _perSample ?? throw new InvalidOperationException("DpSgdPlugin was used outside Fit: its hooks are attached in OnTrainBegin. Pass it in FitOptions.Plugins.");

    private static DpSgdOptions Validate(DpSgdOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.TargetEpsilon is null && options.NoiseMultiplier is null)
            throw new ArgumentException("DP-SGD needs a privacy target: received neither epsilon nor noiseMultiplier. What to do: set epsilon (e.g. 3; σ is then calibrated) or noiseMultiplier (e.g. 1.0).", nameof(options));
        if (options.TargetEpsilon is { } eps && !(eps > 0 && double.IsFinite(eps)))
            throw new ArgumentOutOfRangeException(nameof(options), eps, $"epsilon must be a finite number > 0; received epsilon = {eps}. What to do: pass e.g. 1, 3 or 8 (smaller is more private).");
        if (!(options.Delta > 0 && options.Delta < 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.Delta, $"delta must be in (0, 1) and below 1/N; received delta = {options.Delta}. What to do: pass e.g. 1e-5.");
        if (!(options.MaxGradNorm > 0 && double.IsFinite(options.MaxGradNorm)))
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxGradNorm, $"maxGradNorm must be a finite number > 0; received maxGradNorm = {options.MaxGradNorm}. What to do: pass e.g. 1.0.");
        if (options.NoiseMultiplier is { } sigma && !(sigma >= 0 && double.IsFinite(sigma)))
            throw new ArgumentOutOfRangeException(nameof(options), sigma, $"noiseMultiplier must be a finite number ≥ 0; received noiseMultiplier = {sigma}. What to do: pass e.g. 1.0, or leave it unset and give epsilon.");
        return options;
    }
}
