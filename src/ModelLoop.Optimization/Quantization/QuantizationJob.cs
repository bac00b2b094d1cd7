using System.Globalization;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using ModelLoop.Artifacts;
using ModelLoop.Data;
using ModelLoop.Evaluation;
using ModelLoop.Loop;
using ModelLoop.Modeling;
using ModelLoop.Optimization.Onnx;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Quantization;

/// <summary>
/// int8 quantization of a trained package, end to end: resolve the model (package or run folder, or
/// NAME[:VERSION|ALIAS]) → reload its data through its own pipeline and recorded split → export fp32 ONNX →
/// quantize (static: calibrated on a seeded sample of its training rows; dynamic: none) → measure the int8 model
/// through ONNX Runtime on the held-out test rows, beside the fp32 export on the same rows → write an
/// ONNX-only package (runtime onnx, lineage parent = the reference, metrics, quantization mode).
/// <code>
/// var result = QuantizationJob.Run("fashion:3");   // static int8 for a CNN, dynamic for an MLP
/// Console.WriteLine($"{result.Path}: {result.SizeRatio:F1}× smaller, accuracy {result.TestMetrics["test_accuracy"]:P2}");
/// </code>
/// </summary>
public static class QuantizationJob
{
    /// <param name="packageOrRegistryRef">A package or run folder, a package .zip, or NAME[:VERSION|ALIAS].</param>
    /// <param name="options">Defaults to <c>new QuantizationOptions()</c> (auto mode, per channel, 512 calibration samples).</param>
    /// <param name="jobOptions">Defaults to <c>new QuantizationJobOptions()</c>.</param>
    /// <exception cref="ArgumentException">Bad options, a model without a recorded config and no <see cref="QuantizationJobOptions.Data"/>, or an existing output.</exception>
    /// <exception cref="NotSupportedException">A layer the ONNX exporter cannot write.</exception>
    /// <exception cref="QuantizationAccuracyException">The int8 model lost more accuracy than allowed; nothing was written.</exception>
    public static QuantizationResult Run(string packageOrRegistryRef, QuantizationOptions? options = null, QuantizationJobOptions? jobOptions = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(packageOrRegistryRef);
        options ??= new QuantizationOptions();
        jobOptions ??= new QuantizationJobOptions();
        options.Validate();
        jobOptions.Validate();

        using var resolved = ModelResolver.Resolve(packageOrRegistryRef, jobOptions.Home);
        var package = resolved.Package;
        var output = jobOptions.Output ?? DefaultOutput(packageOrRegistryRef, resolved);
        if (!jobOptions.Overwrite && (Directory.Exists(output) || File.Exists(output)))
            throw new ArgumentException($"QuantizationJobOptions.Output '{output}' already exists. Choose another folder, or set Overwrite = true to replace it.");
        var dataConfig = jobOptions.Data ?? resolved.Config?.Data
            ?? throw new ArgumentException($"The model '{resolved.Description}' records no training config, so the rows to calibrate on and test on are unknown. Pass QuantizationJobOptions.Data.");
        using var data = ChampionChallenger.LoadFor(package, dataConfig);

        // The lineage must name the exact parent, not a moving alias ("production" may come to mean this int8 model).
        var parent = resolved.RegistryVersion is { } registered
            ? string.Create(CultureInfo.InvariantCulture, $"{registered.Name}:{registered.Version}")
            : Path.GetFullPath(package.Path);
        // With the embedding output the int8 model feeds drift monitoring like the fp32 one (its reference profile is rebuilt below).
        var hasHead = package.Model.LayerSummaries.Any(l => l.Parameters > 0);
        var fp32 = OnnxExporter.Export(package.Model, new OnnxExportOptions { EmbeddingOutputName = hasHead ? OnnxModel.EmbeddingOutput : null });
        var mode = OnnxQuantizer.ResolveMode(global::Onnx.ModelProto.Parser.ParseFrom(fp32), options.Mode);
        if (mode == QuantizationMode.Static && package.Model.InputKind == InputKind.TokenIds)
            throw new ArgumentException($"QuantizationOptions.Mode is Static, but '{resolved.Description}' takes token ids, which are not quantized activations to calibrate. Use Mode = Dynamic (or Auto) for sequence models.");
        var calibration = mode == QuantizationMode.Static ? CalibrationBatches(data.Train, options, jobOptions.Seed) : [];
        var quantized = OnnxQuantizer.Quantize(fp32, options with { Mode = mode }, calibration);

        // Both sides through ONNX Runtime on the same rows, so the difference is the quantization's alone (the fp32
        // export matches TorchSharp within 1e-4, and libtorch's oneDNN LSTM inference kernel does not on every CPU).
        var sessionOptions = new OnnxModelOptions { IntraOpThreads = jobOptions.Threads };
        Dictionary<string, double> fp32Metrics, int8Metrics;
        using (var onnx = new OnnxModel(fp32, sessionOptions))
            fp32Metrics = Metrics(onnx.Predict(data.Test.Features), data.Test.Labels, package.Task);
        using (var onnx = new OnnxModel(quantized.Bytes, sessionOptions))
            int8Metrics = Metrics(onnx.Predict(data.Test.Features), data.Test.Labels, package.Task);
        CheckAccuracy(int8Metrics, fp32Metrics, jobOptions.MaxAccuracyDrop, mode, resolved.Description);

        var samples = calibration.Sum(b => b.Dimensions[0]);
        var metadata = package.Metadata with
        {
            Metrics = int8Metrics.Concat(fp32Metrics.Select(p => KeyValuePair.Create("fp32_" + p.Key, p.Value))).ToDictionary(),
            Lineage = package.Lineage with { ParentModel = parent, RunId = null },
            Description = Describe(mode, options, samples, resolved.Description),
            Runtime = ModelRuntime.Onnx,
            LibraryVersions = null,
            CreatedUtc = null,
        };
        // Drift monitoring compares live items with what this model made of the reference data: the int8 network's own
        // embeddings and predictions (the fp32 parent's would differ by the quantization error and could alarm on clean traffic).
        metadata = metadata with { Reference = package.Metadata.Reference is null || !hasHead ? null : Reference(package, quantized.Bytes, metadata, data, jobOptions) };
        ModelArtifact.SaveOnnx(package.Spec, quantized.Bytes, metadata, output, new ArtifactSaveOptions { Overwrite = jobOptions.Overwrite });
        return new QuantizationResult(Path.GetFullPath(output), mode, quantized.Bytes.LongLength, fp32.LongLength, int8Metrics, fp32Metrics, samples, parent);
    }

    private static ReferenceProfile Reference(ModelPackage package, byte[] int8, ArtifactMetadata metadata, LoadedData data, QuantizationJobOptions jobOptions)
    {
        using var model = Runtime.OnnxRuntimeSupport.Wrap(package.Spec, int8, package.Model.OutputShape);
        var heldOut = data.Validation ?? data.Test;
        return ReferenceProfileBuilder.Build(model, PackageInfo.From(metadata), data.Train, data.TrainRows, heldOut, data.Validation is null ? "test" : "validation", jobOptions.Seed);
    }

    /// <summary>
    /// A seeded sample of <see cref="QuantizationOptions.CalibrationSamples"/> training rows (all of them when there
    /// are fewer), in batches of <see cref="QuantizationOptions.CalibrationBatchSize"/>, shaped as the model's input.
    /// </summary>
    public static List<DenseTensor> CalibrationBatches(TensorDataset train, QuantizationOptions options, int seed)
    {
        var count = (int)Math.Min(train.Count, options.CalibrationSamples);
        var rows = Enumerable.Range(0, (int)train.Count).ToArray();
        new Random(seed).Shuffle(rows);
        var batches = new List<DenseTensor>();
        for (var start = 0; start < count; start += options.CalibrationBatchSize)
        {
            using var scope = NewDisposeScope();
            var take = rows[start..Math.Min(count, start + options.CalibrationBatchSize)].Select(r => (long)r).ToArray();
            var batch = train.Features.index_select(0, tensor(take)).to_type(ScalarType.Float32).contiguous();
            batches.Add(new DenseTensor(batch.data<float>().ToArray(), batch.shape.Select(d => (int)d).ToArray()));
        }
        return batches;
    }

    /// <summary>"test_accuracy" and "test_log_loss" (classification) or "test_mse" and "test_mae" (regression) of outputs against labels.</summary>
    internal static Dictionary<string, double> Metrics(Tensor outputs, Tensor labels, ModelTask task)
    {
        using (outputs)
        {
            if (task == ModelTask.Classification)
            {
                var probabilities = ModelOutputs.ToProbabilities(outputs);
                var truth = ModelOutputs.ToLabels(labels);
                return new()
                {
                    ["test_accuracy"] = ClassificationMetrics.Accuracy(truth, ClassificationMetrics.ArgMax(probabilities)),
                    ["test_log_loss"] = ClassificationMetrics.LogLoss(probabilities, truth),
                };
            }
            using var scope = NewDisposeScope();
            var predicted = outputs.reshape(-1).to(ScalarType.Float64).data<double>().ToArray();
            var targets = labels.reshape(-1).to(ScalarType.Float64).data<double>().ToArray();
            return new()
            {
                ["test_mse"] = RegressionMetrics.MeanSquaredError(targets, predicted),
                ["test_mae"] = RegressionMetrics.MeanAbsoluteError(targets, predicted),
            };
        }
    }

    private static void CheckAccuracy(Dictionary<string, double> int8, Dictionary<string, double> fp32, double? maxDrop, QuantizationMode mode, string model)
    {
        if (maxDrop is not { } allowed || !int8.TryGetValue("test_accuracy", out var quantized))
            return;
        var drop = fp32["test_accuracy"] - quantized;
        if (drop > allowed)
            throw new QuantizationAccuracyException(
                $"The int8 ({mode}) model of {model} reaches {quantized.ToString("P2", CultureInfo.InvariantCulture)} test accuracy against the fp32 model's " +
                $"{fp32["test_accuracy"].ToString("P2", CultureInfo.InvariantCulture)} on the same rows: a drop of {drop * 100:F2} points, above QuantizationJobOptions.MaxAccuracyDrop " +
                $"({allowed * 100:F2} points). Nothing was written. What to do: keep per-channel weights on, calibrate on more samples or with CalibrationMethod.Percentile, " +
                "try the other mode, or raise MaxAccuracyDrop (null disables the check).");
    }

    /// <summary>
    /// The package's description, which records the quantization: "int8 static quantization (per-channel weights,
    /// 512 calibration samples, MinMax) of MODEL, run by ONNX Runtime".
    /// </summary>
    internal static string Describe(QuantizationMode mode, QuantizationOptions options, int samples, string model) =>
        $"int8 {mode.ToString().ToLowerInvariant()} quantization ({(options.PerChannel ? "per-channel" : "per-tensor")} weights" +
        (mode == QuantizationMode.Static ? $", {samples} calibration samples, {options.CalibrationMethod}" : "") + $") of {model}, run by ONNX Runtime";

    private static string DefaultOutput(string reference, ResolvedModel resolved)
    {
        if (resolved.RegistryVersion is { } version)
            return $"{version.Name}-v{version.Version.ToString(CultureInfo.InvariantCulture)}-int8";
        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(reference)) switch
        {
            var zip when zip.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) => zip[..^4] + "-int8",
            var folder => folder + "-int8",
        };
    }
}
