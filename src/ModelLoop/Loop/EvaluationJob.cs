using System.Text.Json;
using ModelLoop.Artifacts;
using ModelLoop.Data;
using ModelLoop.Evaluation;
using ModelLoop.Evaluation.Report;
using ModelLoop.IO;
using ModelLoop.Training;

namespace ModelLoop.Loop;

/// <summary>
/// Evaluates a model package on the test part of data — rebuilt from the split the package recorded, through the
/// package's own pipeline — writes the HTML report and evaluation.json, and optionally compares it with a champion on
/// the same rows and cross-validates its architecture on the training part.
/// </summary>
public static class EvaluationJob
{
    /// <exception cref="ArgumentException">A bad option (e.g. --group on images); nothing is written.</exception>
    public static EvaluationOutcome Run(EvaluationRequest request, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        Native.TorchRuntime.EnsureLoaded();
        using var resolved = ModelResolver.Resolve(request.Model, request.Home, request.Verification);
        var package = resolved.Package;
        package.Model.To(request.Device);
        var trained = DataOf(resolved);
        var data = trained with
        {
            Source = request.Data ?? trained.Source,
            Label = request.Label ?? trained.Label,
            SplitSeed = request.SplitSeed ?? trained.SplitSeed,
            Test = request.TestFraction ?? trained.Test,
            Limit = request.Limit,
            NormalizeImages = package.Pipeline is null && request.Standardize,
        };
        using var loaded = DataSource.Load(data, package.Task, package.Pipeline);
        var notes = new List<string>();
        if (package.Lineage.Split is { } split && loaded.Split.SourceSha256 != split.SourceSha256)
            notes.Add($"DATA '{data.Source}' is not the data the model was trained on ({split.Source}); its test part is cut the same way but holds other rows.");
        if (request.Group is not null && !loaded.IsTable)
            throw new ArgumentException($"--group '{request.Group}' names a table column, but DATA '{data.Source}' is not a table. Drop --group or evaluate on a CSV.");
        var evaluation = Evaluator.Evaluate(package.Model, loaded.Test, new EvaluationOptions
        {
            Task = package.Task == ModelTask.Regression ? EvaluationTask.Regression : EvaluationTask.Classification,
            ClassNames = package.ClassNames,
            WrongExamples = request.WrongExamples,
            Groups = request.Group is { } group ? GroupValues(loaded, group) : null,
            GroupName = request.Group ?? "group",
            FeatureNames = loaded.IsTable ? loaded.Pipeline?.FeatureNames : null,
            PositiveClass = request.PositiveClass,
        });
        var output = request.OutputDirectory ?? resolved.DefaultReportFolder;
        Directory.CreateDirectory(output);
        ComparisonResult? comparison = null;
        string? comparisonPath = null;
        if (request.Against is { } against)
        {
            using var champion = ModelResolver.Resolve(against, request.Home, request.Verification);
            champion.Package.Model.To(request.Device);
            comparison = ChampionChallenger.Compare(champion.Package, package, data, challengerData: loaded);
            comparisonPath = Path.Combine(output, "comparison.json");
            AtomicFile.WriteAllText(comparisonPath, comparison.ToJson());
        }
        var sections = request.AddOns.Select(addOn => addOn.Evaluate(new EvaluationAddOnContext
        {
            Model = resolved, Data = data, Loaded = loaded, OutputDirectory = output, Seed = request.Seed, Device = request.Device, Log = log,
        })).OfType<ReportSection>().ToArray();
        var hash = package.Lineage.DatasetManifestHash;
        var files = ReportWriter.Write(evaluation, output, new ReportContext
        {
            Title = $"Evaluation of {(Path.Exists(request.Model) ? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(request.Model))) : request.Model)}",
            Model = resolved.Description,
            Data = data.Source + (hash is not null ? $" (trained on dataset version {hash[..Math.Min(12, hash.Length)]})" : ""),
            History = resolved.History,
            Comparison = comparison,
            Sections = sections,
        });
        CrossValidationResult? crossValidation = null;
        string? crossValidationPath = null;
        if (request.Folds is { } folds)
            (crossValidation, crossValidationPath) = CrossValidate(resolved, loaded.Train, folds, request.Seed, output, log);
        return new EvaluationOutcome
        {
            Result = evaluation,
            Report = files,
            OutputDirectory = output,
            Comparison = comparison,
            ComparisonPath = comparisonPath,
            CrossValidation = crossValidation,
            CrossValidationPath = crossValidationPath,
            Notes = notes,
            Sections = sections,
        };
    }

    /// <summary>The data a model was trained on: its config's; else what its lineage recorded; else Fashion-MNIST.</summary>
    public static DataConfig DataOf(ResolvedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Config is { } config)
            return config.Data;
        if (model.Package.Lineage.Split is { } split)
            return new DataConfig
            {
                Source = split.Source,
                Label = split.LabelColumn ?? "target",
                Validation = split.Validation,
                Test = split.Test,
                SplitSeed = split.Seed,
                Task = model.Package.Task,
                RemoveDuplicates = false,
            };
        return new DataConfig { Task = model.Package.Task, Validation = 0 };
    }

    /// <summary>The raw values of <paramref name="column"/> in the test rows, as read from the file (before preprocessing).</summary>
    private static string[] GroupValues(LoadedData data, string column)
    {
        var rows = data.TestRows!;
        var label = data.Split.LabelColumn;
        if (column == label || !rows.Columns.Contains(column))
            throw new ArgumentException($"--group '{column}' is not a feature column of the data. Its feature columns are: {string.Join(", ", rows.Columns.Where(c => c != label))}.");
        return rows.Column(column).Select(v => v?.Trim() ?? "(missing)").ToArray();
    }

    /// <summary>
    /// K folds of the training part, each trained from scratch with the model's own architecture and config (optimizer,
    /// loss, batch, epochs; Adam and the task's loss for a package without config).
    /// </summary>
    private static (CrossValidationResult, string) CrossValidate(ResolvedModel model, TensorDataset train, int folds, long seed, string output, Action<string>? log)
    {
        var config = model.Config;
        var epochs = config?.Epochs ?? Math.Max(1, model.History.Count);
        log?.Invoke(FormattableString.Invariant($"Cross-validating the architecture: {folds} folds of {train.Count:N0} training samples, {epochs} epoch(s) each."));
        var loss = config is not null ? ConfigBuilders.Loss(config) : model.Package.Task == ModelTask.Regression ? Loss.MeanSquaredError() : Loss.CrossEntropy();
        var optimizer = config is not null ? ConfigBuilders.Optimizer(config.Optimizer) : OptimizerOptions.Adam();
        var result = CrossValidation.Run(model.Package.Spec, m => m.Compile(optimizer, loss), train, new CrossValidationOptions
        {
            Folds = folds,
            Seed = (int)seed,
            Fit = new FitOptions { Epochs = epochs, BatchSize = config?.BatchSize ?? 32, Seed = seed, Progress = ProgressMode.Silent },
        });
        var path = Path.Combine(output, "cross-validation.json");
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new { foldCount = folds, epochs, summary = result.Summary, folds = result.Folds, warnings = result.Warnings },
            new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        return (result, path);
    }
}
