using System.Diagnostics;
using System.Globalization;
using ModelLoop.Artifacts;
using ModelLoop.Loop;
using ModelLoop.Native;
using ModelLoop.Optimization.Quantization;
using ModelLoop.Optimization.Reports;
using ModelLoop.Optimization.Runtime;
using ModelLoop.Registry;

namespace ModelLoop.Demo;

/// <summary>
/// The optimization stage of the demo, between the gated promotion and serving: the production model is quantized to
/// int8 (<see cref="QuantizationJob"/>: per-channel weights, static activations calibrated on training images, run by
/// ONNX Runtime), measured beside the fp32 model on the same test images (accuracy with McNemar, batch-1 latency,
/// throughput, size) and registered; the not-worse gate (<see cref="ChallengerPromotion.DecideNotWorse"/>) moves
/// production to it only when it is not significantly worse and loses at most <see cref="MaxAccuracyDrop"/> — then the
/// feedback half serves the int8 model, and a retraining starts from its fp32 parent.
/// </summary>
public static class OptimizationStage
{
    /// <summary>The stage's title in the demo's progress.</summary>
    public const string Name = "optimization: int8 through the not-worse gate";

    /// <summary>The largest accuracy drop the int8 model may cost: half a point, the bound.</summary>
    public const double MaxAccuracyDrop = 0.005;

    /// <param name="trained">The first half's outcome (registry home, name, production version).</param>
    /// <param name="demo">The demo's options (output folder).</param>
    /// <param name="log">One-line notes.</param>
    public static OptimizationStageOutcome Run(DemoOutcome trained, DemoOptions demo, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(trained);
        ArgumentNullException.ThrowIfNull(demo);
        var clock = Stopwatch.StartNew();
        OnnxRuntimeSupport.IntraOpThreads = TorchRuntime.Threads;
        OnnxRuntimeSupport.Register();
        var registry = new ModelRegistry(trained.Home);
        var parentVersion = trained.ProductionVersion;
        var parentReference = Invariant($"{trained.Name}:{parentVersion}");
        var folder = Path.Combine(demo.Out, "optimization");
        var quantized = QuantizationJob.Run(parentReference, new QuantizationOptions(), new QuantizationJobOptions
        {
            Home = trained.Home,
            Output = Path.Combine(folder, "int8", "artifact"),
            Overwrite = true,
            Threads = TorchRuntime.Threads,
            MaxAccuracyDrop = null, // the gate below decides, on the same rows, with the reason written down
        });
        log?.Invoke(Invariant($"int8 ({quantized.Mode.ToString().ToLowerInvariant()}, {quantized.CalibrationSamples} calibration images): {quantized.SizeBytes / 1024.0:N0} KiB vs {quantized.Fp32SizeBytes / 1024.0:N0} KiB fp32 ({quantized.SizeRatio:0.0}× smaller)."));
        var int8Version = registry.Register(trained.Name, quantized.Path, new RegisterOptions
        {
            Description = $"int8 of v{parentVersion} (ONNX Runtime)",
            Tags = new Dictionary<string, string> { ["optimization"] = "int8", ["parent"] = parentReference, ["runtime"] = "onnxruntime" },
        }).Version;

        using var fp32 = ModelPackage.From(registry.Load(trained.Name, parentVersion.ToString(CultureInfo.InvariantCulture)));
        using var int8 = ModelPackage.From(registry.Load(trained.Name, int8Version.ToString(CultureInfo.InvariantCulture)));
        var config = TrainingConfig.FromJsonNode(fp32.Config, $"the config of {parentReference}");
        using var data = ChampionChallenger.LoadFor(fp32, config.Data);
        var comparison = ChampionChallenger.Compare(fp32, data.Test, int8, data.Test);
        var decision = ChallengerPromotion.DecideNotWorse(registry, trained.Name, parentVersion, int8Version, comparison, MaxAccuracyDrop);
        log?.Invoke((decision.Promoted ? "promoted: " : "rejected: ") + decision.Reason);

        using var fp32Predictor = new ModelVariantPredictor(fp32.Model);
        using var int8Predictor = new ModelVariantPredictor(int8.Model);
        // A short timing (the benchmark and `modelloop optimize` take more rounds): two interleaved rounds.
        var measured = VariantBenchmark.Measure(
        [
            new VariantCandidate { Name = Invariant($"fp32 v{parentVersion}"), Method = "the production model", Predictor = fp32Predictor, Runtime = "torchsharp", PackagePath = fp32.Path, SizeBytes = quantized.Fp32SizeBytes, Parameters = fp32.Model.ParameterCount },
            new VariantCandidate { Name = Invariant($"int8 v{int8Version}"), Method = $"int8 {quantized.Mode.ToString().ToLowerInvariant()}, per-channel weights", Predictor = int8Predictor, Runtime = "onnxruntime", PackagePath = int8.Path, SizeBytes = quantized.SizeBytes, Parameters = fp32.Model.ParameterCount },
        ], data.Test.Features, data.Test.Labels, new VariantBenchmarkOptions { LatencyCalls = 100, ThroughputBatches = 2, Rounds = 2 });
        var files = OptimizationReportWriter.Write(new OptimizationReport { Model = parentReference, Cpu = TorchRuntime.CpuModel, Threads = TorchRuntime.Threads, Variants = measured },
            Path.Combine(folder, "report"));
        var (a, b) = (measured[0], measured[1]);
        log?.Invoke(Invariant($"int8 vs fp32 on {a.TestRows:N0} test images: accuracy {b.Accuracy:P2} vs {a.Accuracy:P2}, batch-1 {b.Batch1LatencyMs:0.###} ms vs {a.Batch1LatencyMs:0.###} ms (×{a.Batch1LatencyMs / b.Batch1LatencyMs:0.0}), {b.ThroughputPerSecond:N0} vs {a.ThroughputPerSecond:N0} images/s; report {files.Html}"));
        return new OptimizationStageOutcome
        {
            ParentVersion = parentVersion,
            Int8Version = int8Version,
            Measurements = measured,
            Decision = decision,
            Report = files.Html,
            Elapsed = clock.Elapsed,
        };
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
