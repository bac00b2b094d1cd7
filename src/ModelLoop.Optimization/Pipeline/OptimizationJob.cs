using System.Globalization;
using System.IO.Compression;
using System.Text.Json.Nodes;
using ModelLoop.Artifacts;
using ModelLoop.Loop;
using ModelLoop.Modeling;
using ModelLoop.Native;
using ModelLoop.Optimization.Distillation;
using ModelLoop.Optimization.Pruning;
using ModelLoop.Optimization.Quantization;
using ModelLoop.Optimization.Reports;
using ModelLoop.Optimization.Runtime;
using ModelLoop.Registry;

namespace ModelLoop.Optimization.Pipeline;

/// <summary>
/// `modelloop optimize`: makes the variants a <see cref="OptimizationRequest"/> asks for — each a new package with lineage
/// to the model (<see cref="PruningJob"/>, <see cref="DistillationJob"/>, <see cref="QuantizationJob"/>) — then measures
/// them all beside the model on its own held-out test rows (<see cref="VariantBenchmark"/>: accuracy with McNemar against
/// the model, batch-1 latency, throughput, size) and writes the report with its Pareto plot; optionally registers every
/// variant as a new version, so any of them can be served.
/// </summary>
public static class OptimizationJob
{
    public static OptimizationOutcome Run(OptimizationRequest request, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        TorchRuntime.EnsureLoaded();
        OnnxRuntimeSupport.IntraOpThreads = TorchRuntime.Threads; // both runtimes on the same threads: the timings compare
        OnnxRuntimeSupport.Register();
        var output = request.OutputDirectory;
        Directory.CreateDirectory(output);

        using var parent = ModelResolver.Resolve(request.Model, request.Home);
        var config = parent.Config
            ?? throw new ArgumentException($"The model '{parent.Description}' records no training config, so the data to fine-tune and test on is unknown. Optimize a package written by `modelloop train` or a TrainingJob.");
        var variants = new List<(string Name, string Method, string Path)> { ("baseline", $"the model ({parent.Description})", parent.Package.Path) };
        TrainingJobOptions Training(string folder) => new()
        {
            OutputDirectory = Path.Combine(output, folder),
            Home = request.Home,
            Log = progress,
            Parameters = new Dictionary<string, string> { ["command"] = "optimize", ["optimized_from"] = request.Model },
        };

        if (request.Prune is { } sparsity)
        {
            progress?.Invoke(Invariant($"Pruning {sparsity:P0} of the weights (global magnitude, polynomial ramp), fine-tuning {request.FineTuneEpochs} epoch(s)…"));
            var pruned = PruningJob.Run(request.Model, new PruningOptions { Sparsity = sparsity, Schedule = PruningSchedule.Polynomial },
                new PruningJobOptions { Epochs = request.FineTuneEpochs, Seed = request.Seed, Training = Training("pruned") });
            variants.Add((Invariant($"pruned-{sparsity * 100:0.#}"), Invariant($"magnitude pruning {pruned.Sparsity.Overall:P1} + {request.FineTuneEpochs} epoch(s) fine-tuning"), pruned.PackagePath));
        }
        if (request.PruneChannels is { } fraction)
        {
            progress?.Invoke(Invariant($"Pruning {fraction:P0} of the channels into a smaller model, fine-tuning {request.FineTuneEpochs} epoch(s)…"));
            var pruned = PruningJob.Run(request.Model, new PruningOptions { Sparsity = fraction, Structure = PruningStructure.Channels },
                new PruningJobOptions { Epochs = request.FineTuneEpochs, Seed = request.Seed, Training = Training("channels") });
            variants.Add((Invariant($"channels-{fraction * 100:0.#}"), Invariant($"channel pruning {fraction:P0} ({pruned.Parameters:N0} parameters) + {request.FineTuneEpochs} epoch(s)"), pruned.PackagePath));
        }
        if (request.DistillInto is { } studentFile)
        {
            var student = StudentConfig(studentFile, config, request);
            progress?.Invoke(Invariant($"Distilling into {Path.GetFileName(studentFile)} ({student.Epochs} epoch(s), T = {request.Distillation.Temperature}, α = {request.Distillation.Alpha})…"));
            var distilled = DistillationJob.Run(request.Model, student, request.Distillation,
                new DistillationJobOptions { Training = Training("distilled"), AdditionalTeachers = request.AdditionalTeachers });
            var teacher = request.AdditionalTeachers.Count == 0 ? "the teacher" : Invariant($"the ensemble of {request.AdditionalTeachers.Count + 1}");
            variants.Add(("distilled", Invariant($"distilled student ({distilled.Parameters:N0} parameters, {(double)distilled.Parameters / distilled.TeacherParameters:P0} of {teacher})"), distilled.PackagePath));
        }
        if (request.QuantizeInt8)
        {
            progress?.Invoke("Quantizing to int8 (ONNX Runtime)…");
            var quantized = QuantizationJob.Run(request.Model, new QuantizationOptions(), new QuantizationJobOptions
            {
                Home = request.Home,
                Output = Path.Combine(output, "int8", "artifact"),
                Overwrite = true,
                Seed = (int)request.Seed,
                Threads = TorchRuntime.Threads,
            });
            variants.Add(("int8", $"int8 {quantized.Mode.ToString().ToLowerInvariant()} quantization, per-channel weights", quantized.Path));
        }

        progress?.Invoke($"Measuring {variants.Count} variant(s) on the model's test rows…");
        using var data = ChampionChallenger.LoadFor(parent.Package, config.Data);
        var packages = new List<ModelPackage>();
        var predictors = new List<IVariantPredictor>();
        IReadOnlyList<VariantMeasurement> measured;
        try
        {
            var candidates = new List<VariantCandidate>();
            foreach (var (name, method, path) in variants)
            {
                var package = ReferenceEquals(path, parent.Package.Path) ? parent.Package : Track(packages, ModelPackage.Load(path));
                var predictor = Track(predictors, new ModelVariantPredictor(package.Model));
                var (size, deflated) = StoredSize(path, package.Metadata.Runtime);
                var (parameters, nonZero) = Count(package);
                candidates.Add(new VariantCandidate
                {
                    Name = name, Method = method, Predictor = predictor, PackagePath = path,
                    Runtime = package.Metadata.Runtime == ModelRuntime.Onnx ? "onnxruntime" : "torchsharp",
                    Parameters = parameters, NonZeroParameters = nonZero, SizeBytes = size, CompressedBytes = deflated,
                });
            }
            if (request.DistillInto is not null && request.AdditionalTeachers.Count > 0)
                candidates.Insert(1, Ensemble(parent.Package, request, packages, predictors));
            measured = VariantBenchmark.Measure(candidates, data.Test.Features, data.Test.Labels, request.Benchmark, progress);
        }
        finally
        {
            foreach (var predictor in predictors)
                predictor.Dispose();
            foreach (var package in packages)
                package.Dispose();
        }

        var registered = new Dictionary<string, int>();
        if (request.Register is { } registryName)
        {
            var registry = new ModelRegistry(request.Home);
            foreach (var v in measured.Skip(1).Where(v => v.PackagePath is not null)) // an ensemble is measured, not a package
            {
                var version = registry.Register(registryName, v.PackagePath!, new RegisterOptions
                {
                    Description = $"{v.Method}; optimized from {request.Model}",
                    Tags = new Dictionary<string, string> { ["optimization"] = v.Name, ["parent"] = request.Model, ["runtime"] = v.Runtime },
                });
                registered[v.Name] = version.Version;
            }
        }
        var report = new OptimizationReport { Model = request.Model, Cpu = TorchRuntime.CpuModel, Threads = TorchRuntime.Threads, Variants = measured };
        var files = OptimizationReportWriter.Write(report, Path.Combine(output, "report"));
        return new OptimizationOutcome
        {
            Report = report,
            Files = files,
            Packages = variants.ToDictionary(v => v.Name, v => v.Path),
            Registered = registered,
        };
    }

    /// <summary>
    /// The ensemble a student was distilled from (the model and <see cref="OptimizationRequest.AdditionalTeachers"/>) as a
    /// report row: measured like a variant, but it is no package, so it is neither on disk as one file nor registered.
    /// </summary>
    private static VariantCandidate Ensemble(ModelPackage model, OptimizationRequest request, List<ModelPackage> packages, List<IVariantPredictor> predictors)
    {
        var members = new List<ModelPackage> { model };
        foreach (var reference in request.AdditionalTeachers)
            members.Add(Track(packages, ModelResolver.Resolve(reference, request.Home).Package));
        var counts = members.Select(Count).ToList();
        var sizes = members.Select(m => StoredSize(m.Path, m.Metadata.Runtime)).ToList();
        return new VariantCandidate
        {
            Name = "ensemble",
            Method = Invariant($"the {members.Count} teachers' mean prediction (the model + {string.Join(", ", request.AdditionalTeachers)})"),
            Predictor = Track(predictors, new EnsembleVariantPredictor([.. members.Select(m => m.Model)])),
            PackagePath = null,
            Runtime = "torchsharp",
            Parameters = counts.Sum(c => c.Parameters),
            NonZeroParameters = counts.Sum(c => c.NonZero),
            SizeBytes = sizes.Sum(s => s.Size),
            CompressedBytes = sizes.Sum(s => s.Deflated),
        };
    }

    /// <summary>
    /// The student to distil into: a training config file (it has a "model" section) as given, or a layer spec trained like
    /// the teacher (its optimizer, schedule and epochs — or <see cref="OptimizationRequest.DistillEpochs"/>).
    /// </summary>
    private static TrainingConfig StudentConfig(string file, TrainingConfig teacher, OptimizationRequest request)
    {
        var text = File.ReadAllText(file);
        var node = Path.GetExtension(file).ToLowerInvariant() is ".json" ? JsonNode.Parse(text) : IO.YamlJson.Parse(text, $"The student file {file}");
        var config = node is JsonObject o && o.ContainsKey("model")
            ? TrainingConfig.Load(file)
            : teacher with { Model = new ModelConfig { Spec = JsonNode.Parse(ModelSpec.Load(file).ToJson()) }, InitFrom = null, TransferFrom = null, Freeze = [] };
        return config with { Epochs = request.DistillEpochs ?? config.Epochs, Seed = config.Seed ?? request.Seed };
    }

    /// <summary>Bytes of what runs the variant (weights.safetensors or model.onnx) and the same after DEFLATE.</summary>
    private static (long Size, long Deflated) StoredSize(string package, ModelRuntime runtime)
    {
        var bytes = ModelArtifact.ReadFile(package, runtime == ModelRuntime.Onnx ? ModelArtifact.OnnxFile : ModelArtifact.WeightsFile);
        using var sink = new MemoryStream();
        using (var deflate = new DeflateStream(sink, CompressionLevel.Optimal, leaveOpen: true))
            deflate.Write(bytes);
        return (bytes.LongLength, sink.Length);
    }

    /// <summary>Parameters of the architecture and how many are not zero (for an int8 model: its spec's count, zeros unknown).</summary>
    private static (long? Parameters, long? NonZero) Count(ModelPackage package)
    {
        if (package.Model is InferenceOnlyModel)
        {
            using var architecture = Model.FromSpec(package.Spec);
            return (architecture.ParameterCount, null);
        }
        long nonZero = 0;
        foreach (var p in package.Model.Network.parameters())
        {
            using var count = p.count_nonzero();
            nonZero += count.item<long>();
        }
        return (package.Model.ParameterCount, nonZero);
    }

    private static T Track<T>(List<T> list, T item)
    {
        list.Add(item);
        return item;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
