using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelLoop.IO;
using ModelLoop.Modeling;
using ModelLoop.Training;
using ModelLoop.Training.Callbacks;
using Spectre.Console;
using ModelLoop.Artifacts;
using ModelLoop.Tracking;
using ModelLoop.Registry;

namespace ModelLoop.Cli.Commands;

/// <summary>What a finished training run produced.</summary>
internal sealed record TrainingOutcome(History History, IReadOnlyDictionary<string, double> Test, double Seconds, string OutputDirectory)
{
    /// <summary>The tracked run's id, or null when tracking was off.</summary>
    public string? RunId { get; init; }
    /// <summary>The registered version, or null when --register was not given.</summary>
    public ModelVersion? Registered { get; init; }
    /// <summary>The dataset manifest hash recorded as the artifact's lineage.</summary>
    public string? DatasetHash { get; init; }
    /// <summary>The saved artifact folder (RUN/artifact).</summary>
    public string ArtifactPath { get; init; } = "";
}

/// <summary>
/// Trains a compiled model, evaluates it on held-out test data and writes the run folder: the spec
/// (model.json), weights (weights.bin), per-epoch metrics (history.csv), a summary (summary.json), the dataset
/// manifest (dataset.json), the preprocessing pipeline (pipeline.json, when one was applied) and the verified model
/// artifact (artifact/: preprocessing, dataset hash and split recorded in its model.json; what `serve` loads). Every file is written atomically. With tracking on, the run is
/// recorded in the run store (RunTracker) and, with --register, the artifact becomes a registry version.
/// </summary>
internal static class TrainingRun
{
    /// <param name="validateOnTest">Also report the test metrics after every epoch (as val_*), as `train` always did.</param>
    public static TrainingOutcome Execute(Model model, LoadedData data, bool validateOnTest,
        FitOptions fit, string outputDirectory, IEnumerable<Callback>? extraCallbacks = null, TrackingRequest? tracking = null)
    {
        var (train, test) = (data.Train, data.Test);
        Directory.CreateDirectory(outputDirectory);
        model.ToSpec().Save(Path.Combine(outputDirectory, "model.json"));
        // The dataset's version: the manifest hash (source bytes, split seed, counts, pipeline), kept beside the run.
        data.Manifest.Save(Path.Combine(outputDirectory, "dataset.json"));
        var datasetHash = data.Manifest.Hash;
        var pipeline = data.Pipeline?.ToJson();
        if (pipeline is not null)
            AtomicFile.WriteAllText(Path.Combine(outputDirectory, "pipeline.json"), pipeline);
        var callbacks = new List<Callback> { new MetricsLogger(Path.Combine(outputDirectory, "history.csv")) };
        callbacks.AddRange(extraCallbacks ?? []);
        var tracker = tracking is { Track: true } ? new RunTracker(new RunStore(tracking.Home), tracking.RunName, RunParameters(model, fit, tracking), datasetHash) { FinishOnTrainEnd = false } : null;
        if (tracker is not null)
            callbacks.Add(tracker);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        History history;
        IReadOnlyDictionary<string, double> testMetrics;
        string artifact = Path.Combine(outputDirectory, "artifact"), manifestSha;
        try
        {
            history = model.Fit(train, fit, validateOnTest ? test : null, callbacks);
            testMetrics = model.Evaluate(test);
            model.SaveWeights(Path.Combine(outputDirectory, "weights.bin"));
            manifestSha = ModelArtifact.Save(model, artifact, new ArtifactMetadata
            {
                Metrics = testMetrics.ToDictionary(p => "test_" + p.Key, p => p.Value),
                Preprocessing = pipeline is null ? null : JsonNode.Parse(pipeline),
                Lineage = new ArtifactLineage(datasetHash, tracker?.RunId) { Split = data.Tabular?.Split },
            }, new ArtifactSaveOptions { Overwrite = true, EncryptionKey = tracking?.EncryptionKey });
        }
        catch (Exception e)
        {
            tracker?.Fail(e);
            throw;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var summary = new
        {
            parameters = model.ParameterCount,
            trainSamples = train.Count,
            epochs = history.Epochs.Count,
            seed = history.Seed,
            trainingSeconds = Math.Round(seconds, 2),
            stopReason = history.StopReason,
            test = testMetrics,
            lastEpoch = history.Epochs.LastOrDefault(),
            runId = tracker?.RunId,
            datasetHash,
        };
        AtomicFile.WriteAllText(Path.Combine(outputDirectory, "summary.json"), JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        if (tracker?.RunId is { } runId)
        {
            var store = new RunStore(tracking!.Home);
            store.LogArtifact(runId, "artifact", artifact, manifestSha);
            tracker.Finish(testMetrics.ToDictionary(p => "test_" + p.Key, p => p.Value));
        }
        var registered = tracking?.RegisterAs is { } name
            ? new ModelRegistry(tracking.Home).Register(name, artifact, new RegisterOptions { Aliases = tracking.Aliases, EncryptionKey = tracking.EncryptionKey })
            : null;
        return new TrainingOutcome(history, testMetrics, seconds, outputDirectory) { RunId = tracker?.RunId, Registered = registered, DatasetHash = datasetHash, ArtifactPath = artifact };
    }

    private static Dictionary<string, string> RunParameters(Model model, FitOptions fit, TrackingRequest tracking)
    {
        var compiled = model.Compiled;
        var parameters = new Dictionary<string, string>(tracking.Parameters)
        {
            ["batch_size"] = fit.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["seed"] = fit.Seed?.ToString(CultureInfo.InvariantCulture) ?? "random",
            ["precision"] = fit.Precision.ToString(),
            ["schedule"] = fit.Schedule?.GetType().Name ?? "constant",
            ["optimizer"] = compiled?.Optimizer.Kind.ToString() ?? "",
            ["loss"] = compiled?.Loss.GetType().Name ?? "",
            ["input_shape"] = model.InputShape.ToString(),
        };
        return parameters;
    }

    public static void PrintResult(TrainingOutcome outcome)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Result").AddColumn(new TableColumn("Value").RightAligned());
        foreach (var (key, value) in outcome.Test)
            table.AddRow($"test {key}", value.ToString(key.Contains("acc") ? "P2" : "F4", CultureInfo.InvariantCulture));
        table.AddRow("epochs", outcome.History.Epochs.Count.ToString(CultureInfo.InvariantCulture));
        table.AddRow("training time", FormattableString.Invariant($"{outcome.Seconds:F1} s"));
        table.AddRow("seed", outcome.History.Seed.ToString(CultureInfo.InvariantCulture));
        table.AddRow("saved to", Markup.Escape(Path.GetFullPath(outcome.OutputDirectory)));
        if (outcome.DatasetHash is not null)
            table.AddRow("dataset version", Markup.Escape(outcome.DatasetHash[..12]));
        if (outcome.RunId is not null)
            table.AddRow("run", Markup.Escape(outcome.RunId));
        if (outcome.Registered is { } version)
            table.AddRow("registered", Markup.Escape($"{version.Name} v{version.Version}" + (version.Aliases.Count > 0 ? $" ({string.Join(", ", version.Aliases)})" : "")));
        AnsiConsole.Write(table);
    }
}
