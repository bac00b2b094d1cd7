using System.CommandLine;
using System.Globalization;
using ModelLoop.Data;
using ModelLoop.Evaluation;
using ModelLoop.Evaluation.Report;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Native;
using ModelLoop.Training;
using ModelLoop.Training.Recipes;
using Spectre.Console;
using ModelLoop.Storage;
using ModelLoop.Registry;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop demo</c>: the whole loop on Fashion-MNIST with embedded defaults — data (installed if missing,
/// normalized, versioned by a manifest hash) → a champion (the seed's keras-cnn) trained, tracked, evaluated and
/// registered as champion + production → a challenger (the fast CPU recipe) trained, tracked and evaluated → both
/// compared on the same test images → the challenger promoted only if the verdict is Better, the reason recorded
/// either way → a summary with the commands to serve the production model.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var dataOption = new Option<string>("--data", "-d") { Description = $"Folder of Fashion-MNIST IDX files. Defaults to {FashionMnist.DefaultDirectory} (installed if missing).", DefaultValueFactory = _ => FashionMnist.DefaultDirectory };
        var epochsOption = new Option<int>("--epochs", "-e") { Description = "Epochs of the challenger (the fast recipe). Defaults to 4 (~93% test accuracy in about two minutes on 2 cores).", DefaultValueFactory = _ => 4 };
        var championEpochsOption = new Option<int>("--champion-epochs") { Description = "Epochs of the champion (the seed's keras-cnn). Defaults to 1.", DefaultValueFactory = _ => 1 };
        var limitOption = new Option<int?>("--limit") { Description = "Train on the first N images only (a quick look; tests use this)." };
        var outOption = new Option<string>("--out", "-o") { Description = "Folder for the dataset manifest, both runs and their reports. Defaults to runs/demo.", DefaultValueFactory = _ => Path.Combine("runs", "demo") };
        var nameOption = new Option<string>("--name") { Description = "Registry name of the model. Defaults to fashion.", DefaultValueFactory = _ => "fashion" };
        var homeOption = RunsTrackingOptions.HomeOption();
        var command = new Command("demo", "Run the whole loop on Fashion-MNIST: data → champion → challenger → comparison → gated promotion → serve.")
        {
            dataOption, epochsOption, championEpochsOption, limitOption, outOption, nameOption, homeOption,
        };
        common.AddTo(command);
        command.SetAction(result =>
        {
            var settings = new DemoSettings(result.GetValue(dataOption)!, result.GetValue(epochsOption), result.GetValue(championEpochsOption), result.GetValue(limitOption),
                result.GetValue(outOption)!, result.GetValue(nameOption)!, ModelLoopHome.Resolve(result.GetValue(homeOption)), result.GetValue(common.Seed), result.GetValue(common.Precision));
            foreach (var (value, option) in new[] { (settings.Epochs, "--epochs"), (settings.ChampionEpochs, "--champion-epochs") })
                if (value < 1)
                    throw new ArgumentException($"{option} must be at least 1; received {value}.");
            ModelRegistry.CheckName(settings.Name);
            Run(settings, () => common.Apply(result));
            return 0;
        });
        return command;
    }

    private sealed record DemoSettings(string Data, int Epochs, int ChampionEpochs, int? Limit, string Out, string Name, string Home, long? Seed, Precision? Precision);

    private static void Run(DemoSettings settings, Func<ComputeDevice> startTorch)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        AnsiConsole.Write(new Rule("[bold]ModelLoop demo[/]: the whole loop on Fashion-MNIST").LeftJustified());
        Stage(clock, 1, "data");
        FashionMnistInstaller.Ensure(settings.Data);
        var device = startTorch();
        if (!Directory.Exists(settings.Data))
            throw new DirectoryNotFoundException($"--data '{settings.Data}' is not a folder; the demo expects Fashion-MNIST's four IDX files in a folder (train with `modelloop train --data file.csv` for tables).");
        using var data = DatasetSource.Load(settings.Data, "", regression: false, settings.Limit, TabularData.DefaultTestFraction, 0, normalizeImages: true);
        var manifestPath = Path.Combine(settings.Out, "dataset", "manifest.json");
        data.Manifest.Save(manifestPath);
        var datasetHash = data.Manifest.Hash;
        var image = data.ImagePipeline!.Image!;
        AnsiConsole.MarkupLine(Invariant($"{data.Train.Count:N0} training and {data.Test.Count:N0} test images, normalized with mean {image.Mean[0]:F3}, std {image.Std[0]:F3} (fitted on the training images)."));
        AnsiConsole.MarkupLine($"Dataset version [bold]{datasetHash[..12]}[/] → {Markup.Escape(manifestPath)}");
        var registry = new ModelRegistry(settings.Home);
        var evaluation = new EvaluationOptions { ClassNames = FashionMnist.ClassNames };

        Stage(clock, 2, "champion: the seed's keras-cnn");
        using var championModel = ModelZoo.Create("keras-cnn", data.Train.SampleShape, FashionMnist.ClassNames.Length);
        championModel.To(device);
        championModel.Compile("adam", "cross_entropy", ["accuracy"]);
        var championFit = new FitOptions { Epochs = settings.ChampionEpochs, BatchSize = 64, Seed = settings.Seed, Precision = settings.Precision ?? Precision.Float32 };
        var champion = TrainingRun.Execute(championModel, data, validateOnTest: false, championFit, Path.Combine(settings.Out, "champion"),
            tracking: Tracking(settings, "demo-champion", "keras-cnn"));
        var championEval = Evaluator.Evaluate(championModel, data.Test, evaluation);
        var championReport = ReportWriter.Write(championEval, Path.Combine(champion.OutputDirectory, "eval"), new ReportContext
        {
            Title = "Champion: keras-cnn", Model = "keras-cnn (the seed's CNN)", Data = $"Fashion-MNIST test images (dataset {datasetHash[..12]})", History = champion.History.Epochs,
        });
        var championVersion = registry.Register(settings.Name, champion.ArtifactPath, new RegisterOptions
        {
            Description = "demo champion: keras-cnn",
            Tags = new Dictionary<string, string> { ["role"] = "champion", ["recipe"] = "keras-cnn" },
        });
        var championAccuracy = championEval.Summary.Metrics["accuracy"];
        var baseline = Invariant($"Baseline of the demo loop: keras-cnn, {settings.ChampionEpochs} epoch(s), test accuracy {championAccuracy:0.####} on {data.Test.Count:N0} images (dataset {datasetHash[..12]}).");
        foreach (var alias in ChallengerPromotion.DefaultAliases)
            registry.SetAlias(settings.Name, alias, championVersion.Version, baseline);
        AnsiConsole.MarkupLine(Invariant($"Champion: accuracy {championAccuracy:P2}; report {Markup.Escape(championReport.Html)}; registered as {Markup.Escape(settings.Name)} v{championVersion.Version} (champion, production)."));

        Stage(clock, 3, "challenger: the fast CPU recipe");
        var recipe = new ImageClassifierRecipe { Epochs = settings.Epochs };
        if (settings.Precision is { } precision)
            recipe = recipe with { Precision = precision };
        using var challengerModel = recipe.CreateModel(data.Train.SampleShape, FashionMnist.ClassNames.Length);
        challengerModel.To(device);
        recipe.Compile(challengerModel);
        AnsiConsole.MarkupLine($"{recipe.Epochs} epoch(s) on {TorchRuntime.Threads} thread(s), {recipe.Precision}, batch {recipe.BatchSize}, one-cycle SGD (peak {recipe.PeakLearningRate}).");
        var challenger = TrainingRun.Execute(challengerModel, data, validateOnTest: false, recipe.FitOptions(settings.Seed), Path.Combine(settings.Out, "challenger"),
            tracking: Tracking(settings, "demo-challenger", "image-classifier-recipe"));
        var challengerEval = Evaluator.Evaluate(challengerModel, data.Test, evaluation);

        Stage(clock, 4, "champion vs challenger on the same test images");
        // Both models saw the same normalized test tensors, so their evaluation outputs pair row by row.
        var comparison = ModelComparison.CompareClassifiers(challengerEval.Labels!, championEval.Probabilities!, challengerEval.Probabilities!);
        var challengerReportFolder = Path.Combine(challenger.OutputDirectory, "eval");
        var challengerReport = ReportWriter.Write(challengerEval, challengerReportFolder, new ReportContext
        {
            Title = "Challenger: image-classifier recipe", Model = "batch-norm CNN (ImageClassifierRecipe)", Data = $"Fashion-MNIST test images (dataset {datasetHash[..12]})",
            History = challenger.History.Epochs, Comparison = comparison,
        });
        var comparisonPath = Path.Combine(challengerReportFolder, "comparison.json");
        ModelLoop.IO.AtomicFile.WriteAllText(comparisonPath, comparison.ToJson());
        AnsiConsole.MarkupLine($"[bold]{comparison.Verdict}[/]. {Markup.Escape(comparison.Reason)}");

        Stage(clock, 5, "gated promotion");
        var challengerVersion = registry.Register(settings.Name, challenger.ArtifactPath, new RegisterOptions
        {
            Description = "demo challenger: image-classifier recipe",
            Tags = new Dictionary<string, string> { ["role"] = "challenger", ["recipe"] = "image-classifier-recipe", ["comparison.verdict"] = comparison.Verdict.ToString() },
        });
        var decision = ChallengerPromotion.Decide(registry, settings.Name, championVersion.Version, challengerVersion.Version, comparison);
        AnsiConsole.MarkupLine((decision.Promoted ? "[green]promoted:[/] " : "[yellow]rejected:[/] ") + Markup.Escape(decision.Reason));
        var production = registry.GetVersion(settings.Name, "production");

        Stage(clock, 6, "summary");
        var summary = new DemoSummary(settings.Name, settings.Home, datasetHash, championVersion.Version, challengerVersion.Version, championAccuracy,
            challengerEval.Summary.Metrics["accuracy"], comparison, decision, production.Version, championReport.Html, challengerReport.Html, comparisonPath, clock.Elapsed);
        summary.Print();
    }

    private static TrackingRequest Tracking(DemoSettings settings, string runName, string model) =>
        new(settings.Home, Track: true, runName, new Dictionary<string, string>
        {
            ["command"] = "demo", ["model"] = model, ["data"] = settings.Data,
            ["limit"] = settings.Limit?.ToString(CultureInfo.InvariantCulture) ?? "all",
        }, RegisterAs: null, Aliases: []);

    /// <summary>A rule per stage with the time since the demo started, so a slow stage shows.</summary>
    private static void Stage(System.Diagnostics.Stopwatch clock, int number, string title) =>
        AnsiConsole.Write(new Rule(Invariant($"[bold]{number}/6[/] {Markup.Escape(title)} [grey](at {clock.Elapsed.TotalSeconds:F0} s)[/]")).LeftJustified());

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
