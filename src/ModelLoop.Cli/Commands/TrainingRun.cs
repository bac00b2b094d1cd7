using System.Globalization;
using System.Text.Json;
using ModelLoop.Data;
using ModelLoop.IO;
using ModelLoop.Modeling;
using ModelLoop.Training;
using ModelLoop.Training.Callbacks;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>What a finished training run produced.</summary>
internal sealed record TrainingOutcome(History History, IReadOnlyDictionary<string, double> Test, double Seconds, string OutputDirectory);

/// <summary>
/// Trains a compiled model, evaluates it on held-out test data and writes the run folder: the spec
/// (model.json), weights (weights.bin), per-epoch metrics (history.csv) and a summary (summary.json).
/// Every file is written atomically.
/// </summary>
internal static class TrainingRun
{
    public static TrainingOutcome Execute(Model model, TensorDataset train, TensorDataset? validation, TensorDataset test,
        FitOptions fit, string outputDirectory, IEnumerable<Callback>? extraCallbacks = null)
    {
        Directory.CreateDirectory(outputDirectory);
        model.ToSpec().Save(Path.Combine(outputDirectory, "model.json"));
        var callbacks = new List<Callback> { new MetricsLogger(Path.Combine(outputDirectory, "history.csv")) };
        callbacks.AddRange(extraCallbacks ?? []);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var history = model.Fit(train, fit, validation, callbacks);
        var seconds = clock.Elapsed.TotalSeconds;
        var testMetrics = model.Evaluate(test);
        model.SaveWeights(Path.Combine(outputDirectory, "weights.bin"));
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
        };
        AtomicFile.WriteAllText(Path.Combine(outputDirectory, "summary.json"), JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
        return new TrainingOutcome(history, testMetrics, seconds, outputDirectory);
    }

    public static void PrintResult(TrainingOutcome outcome)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Result").AddColumn(new TableColumn("Value").RightAligned());
        foreach (var (key, value) in outcome.Test)
            table.AddRow($"test {key}", value.ToString(key.Contains("acc") ? "P2" : "F4", CultureInfo.InvariantCulture));
        table.AddRow("epochs", outcome.History.Epochs.Count.ToString(CultureInfo.InvariantCulture));
        table.AddRow("training time", $"{outcome.Seconds:F1} s");
        table.AddRow("seed", outcome.History.Seed.ToString(CultureInfo.InvariantCulture));
        table.AddRow("saved to", Markup.Escape(Path.GetFullPath(outcome.OutputDirectory)));
        AnsiConsole.Write(table);
    }
}
