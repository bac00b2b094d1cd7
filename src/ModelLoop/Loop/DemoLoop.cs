using System.Globalization;
using ModelLoop.Data;
using ModelLoop.Evaluation;
using ModelLoop.Evaluation.Report;
using ModelLoop.IO;
using ModelLoop.Registry;
using ModelLoop.Storage;
using ModelLoop.Training;
using ModelLoop.Training.Recipes;

namespace ModelLoop.Loop;

/// <summary>
/// The whole loop on Fashion-MNIST with embedded defaults, as a library call: data (normalized, versioned by a manifest
/// hash) → a champion (the seed's keras-cnn) trained, evaluated and registered as champion + production → a challenger
/// (<see cref="ImageClassifierRecipe"/>) trained and evaluated → both compared on the same test images → the challenger
/// promoted only if the verdict is Better, the reason recorded either way. Both runs are <see cref="TrainingJob"/>s of
/// a <see cref="TrainingConfig"/>, and the gate is <see cref="ChampionChallenger"/>.
/// </summary>
public static class DemoLoop
{
    /// <summary>The stages the demo reports, in order.</summary>
    public static readonly IReadOnlyList<string> Stages =
        ["data", "champion: the seed's keras-cnn", "challenger: the fast CPU recipe", "champion vs challenger on the same test images", "gated promotion", "summary"];

    /// <summary>Validation images held out of the 60,000 training images: 5,000, as Keras's Fashion-MNIST examples do.</summary>
    public const double ValidationFraction = 5_000 / 60_000.0;

    /// <param name="onStage">Called with the stage index (0-based, see <see cref="Stages"/>) as each begins.</param>
    /// <param name="log">Receives one-line notes.</param>
    public static DemoOutcome Run(DemoOptions options, Action<int>? onStage = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var home = ModelLoopHome.Resolve(options.Home);
        onStage?.Invoke(0);
        Native.TorchRuntime.EnsureLoaded();
        var dataConfig = new DataConfig { Source = options.Data, Validation = ValidationFraction, NormalizeImages = true, Limit = options.Limit, SplitSeed = 1 };
        using var data = DataSource.Load(dataConfig, Artifacts.ModelTask.Classification);
        var manifestPath = Path.Combine(options.Out, "dataset", "manifest.json");
        data.Manifest.Save(manifestPath);
        var datasetHash = data.Manifest.Hash;
        var image = data.Pipeline!.Image!;
        log?.Invoke(Invariant($"{data.Train.Count:N0} training, {data.Validation?.Count ?? 0:N0} validation and {data.Test.Count:N0} test images, normalized with mean {image.Mean[0]:F3}, std {image.Std[0]:F3} (fitted on the training images)."));
        log?.Invoke($"Dataset version {datasetHash[..12]} → {manifestPath}");
        var registry = new ModelRegistry(home);
        var evaluation = new EvaluationOptions { ClassNames = data.ClassNames };
        string DataNote() => $"Fashion-MNIST test images (dataset {datasetHash[..12]})";

        onStage?.Invoke(1);
        var championConfig = new TrainingConfig
        {
            Model = new ModelConfig { Zoo = "keras-cnn" },
            Data = dataConfig,
            Epochs = options.ChampionEpochs,
            BatchSize = 64,
            Seed = options.Seed,
            Precision = options.Precision ?? Precision.Float32,
        };
        var champion = TrainingJob.Run(championConfig, data, Job(options, home, "champion", "demo-champion", "demo champion: keras-cnn", "keras-cnn", log));
        var championEval = EvaluatePackage(champion, data, evaluation);
        var championReport = ReportWriter.Write(championEval, Path.Combine(champion.RunDirectory, "eval"), new ReportContext
        {
            Title = "Champion: keras-cnn", Model = "keras-cnn (the seed's CNN)", Data = DataNote(), History = champion.History.Epochs,
        });
        var championVersion = champion.Registered!.Version;
        var championAccuracy = championEval.Summary.Metrics["accuracy"];
        var baseline = Invariant($"Baseline of the demo loop: keras-cnn, {options.ChampionEpochs} epoch(s), test accuracy {championAccuracy:0.####} on {data.Test.Count:N0} images (dataset {datasetHash[..12]}).");
        foreach (var alias in ChallengerPromotion.DefaultAliases)
            registry.SetAlias(options.Name, alias, championVersion, baseline);
        log?.Invoke(Invariant($"Champion: accuracy {championAccuracy:P2}; report {championReport.Html}; registered as {options.Name} v{championVersion} (champion, production)."));

        onStage?.Invoke(2);
        var recipe = new ImageClassifierRecipe { Epochs = options.Epochs };
        if (options.Precision is { } precision)
            recipe = recipe with { Precision = precision };
        var challengerConfig = RecipeConfig(recipe, dataConfig, options.Seed);
        log?.Invoke(Invariant($"{recipe.Epochs} epoch(s) on {Native.TorchRuntime.Threads} thread(s), {recipe.Precision}, batch {recipe.BatchSize}, one-cycle SGD (peak {recipe.PeakLearningRate})."));
        var challenger = TrainingJob.Run(challengerConfig, data, Job(options, home, "challenger", "demo-challenger", "demo challenger: image-classifier recipe", "image-classifier-recipe", log));
        var challengerEval = EvaluatePackage(challenger, data, evaluation);

        onStage?.Invoke(3);
        // Both packages carry the same fitted normalization, so their evaluations on the same test tensors pair row by row.
        var comparison = ChampionChallenger.Compare(championEval, challengerEval);
        var challengerReportFolder = Path.Combine(challenger.RunDirectory, "eval");
        var challengerReport = ReportWriter.Write(challengerEval, challengerReportFolder, new ReportContext
        {
            Title = "Challenger: image-classifier recipe", Model = "batch-norm CNN (ImageClassifierRecipe)", Data = DataNote(),
            History = challenger.History.Epochs, Comparison = comparison,
        });
        var comparisonPath = Path.Combine(challengerReportFolder, "comparison.json");
        AtomicFile.WriteAllText(comparisonPath, comparison.ToJson());
        log?.Invoke($"{comparison.Verdict}. {comparison.Reason}");

        onStage?.Invoke(4);
        var challengerVersion = challenger.Registered!.Version;
        registry.SetTag(options.Name, challengerVersion, "comparison.verdict", comparison.Verdict.ToString());
        var decision = ChampionChallenger.Decide(registry, options.Name, championVersion, challengerVersion, comparison);
        log?.Invoke((decision.Promoted ? "promoted: " : "rejected: ") + decision.Reason);

        onStage?.Invoke(5);
        return new DemoOutcome
        {
            Name = options.Name,
            Home = home,
            DatasetHash = datasetHash,
            Champion = champion,
            Challenger = challenger,
            ChampionVersion = championVersion,
            ChallengerVersion = challengerVersion,
            ChampionAccuracy = championAccuracy,
            ChallengerAccuracy = challengerEval.Summary.Metrics["accuracy"],
            Comparison = comparison,
            Decision = decision,
            ProductionVersion = registry.GetDefaultVersion(options.Name).Version,
            ChampionReport = championReport.Html,
            ChallengerReport = challengerReport.Html,
            ComparisonPath = comparisonPath,
            Elapsed = clock.Elapsed,
        };
    }

    /// <summary><see cref="ImageClassifierRecipe"/> as a training config: bn-cnn, Nesterov SGD with one-cycle, label smoothing.</summary>
    public static TrainingConfig RecipeConfig(ImageClassifierRecipe recipe, DataConfig data, long? seed = null)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        return new TrainingConfig
        {
            Model = new ModelConfig { Zoo = "bn-cnn", Width = recipe.Width, Stages = recipe.ConvsPerStage },
            Data = data,
            Optimizer = new OptimizerConfig { Name = "sgd", LearningRate = recipe.PeakLearningRate, Momentum = 0.9, Nesterov = true, WeightDecay = recipe.WeightDecay },
            Loss = "cross_entropy",
            LabelSmoothing = recipe.LabelSmoothing,
            Schedule = new ScheduleConfig { Name = "one-cycle", PeakFraction = 0.25 },
            Epochs = recipe.Epochs,
            BatchSize = recipe.BatchSize,
            Precision = recipe.Precision,
            Augment = recipe.Flip ? ["flip"] : [],
            Seed = seed,
        };
    }

    private static TrainingJobOptions Job(DemoOptions options, string home, string folder, string runName, string description, string recipe, Action<string>? log) => new()
    {
        OutputDirectory = Path.Combine(options.Out, folder),
        Home = home,
        RunName = runName,
        RegisterAs = options.Name,
        Description = description,
        Tags = new Dictionary<string, string> { ["role"] = folder, ["recipe"] = recipe },
        Parameters = new Dictionary<string, string> { ["command"] = "demo", ["recipe"] = recipe },
        Device = options.Device,
        Log = log,
    };

    private static EvaluationResult EvaluatePackage(TrainingResult run, LoadedData data, EvaluationOptions options)
    {
        using var package = Artifacts.ModelPackage.Load(run.PackagePath);
        return Evaluator.Evaluate(package.Model, data.Test, options);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
