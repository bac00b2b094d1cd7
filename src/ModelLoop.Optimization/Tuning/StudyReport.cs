using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelLoop.IO;

namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// Writes a study's summary into a folder, every file atomically: summary.json (best trial, importance, every trial),
/// study.md (the same as a page with the plots) and the plots as PNGs.
/// </summary>
public static class StudyReport
{
    public static StudySummary Write(Study study, string folder)
    {
        ArgumentNullException.ThrowIfNull(study);
        var trials = study.Trials();
        var best = Study.Best(trials, study.Direction);
        var importance = ParameterImportance.Evaluate(study.Space, trials);
        Directory.CreateDirectory(folder);
        var metric = study.Info.Metric;
        var files = new List<string>();
        void Png(string name, Func<byte[]> draw)
        {
            var path = Path.Combine(folder, name);
            var bytes = draw();
            AtomicFile.Write(path, s => s.Write(bytes));
            files.Add(path);
        }
        Png("history.png", () => StudyPlots.History(trials, study.Direction, metric));
        Png("intermediate.png", () => StudyPlots.IntermediateValues(trials, metric));
        Png("parallel-coordinates.png", () => StudyPlots.ParallelCoordinates(study.Space, trials, study.Direction, metric));
        if (importance.Count > 0)
            Png("importance.png", () => StudyPlots.Importance(importance));

        var json = new JsonObject
        {
            ["study"] = study.Name,
            ["direction"] = study.Direction.ToString(),
            ["metric"] = metric,
            ["space"] = study.Space.Source.DeepClone(),
            ["counts"] = new JsonObject(Enum.GetValues<TrialState>().Select(s => KeyValuePair.Create(s.ToString(), (JsonNode?)trials.Count(t => t.State == s)))),
            ["best"] = best is null ? null : Trial(best),
            ["importance"] = new JsonObject(importance.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Math.Round(p.Value, 4)))),
            ["trials"] = new JsonArray(trials.Select(t => (JsonNode?)Trial(t)).ToArray()),
        };
        var summaryPath = Path.Combine(folder, "summary.json");
        AtomicFile.WriteAllText(summaryPath, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        files.Insert(0, summaryPath);
        var pagePath = Path.Combine(folder, "study.md");
        AtomicFile.WriteAllText(pagePath, Page(study, trials, best, importance, files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)).ToList()));
        files.Insert(1, pagePath);
        return new StudySummary { Study = study.Name, Trials = trials, Best = best, Importance = importance, Files = files };
    }

    private static JsonObject Trial(TrialRecord t) => new()
    {
        ["number"] = t.Number,
        ["state"] = t.State.ToString(),
        ["value"] = t.Value,
        ["params"] = new JsonObject(t.Params.Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))),
        ["steps"] = t.Intermediate.Count,
        ["seconds"] = t.Duration is { } d ? Math.Round(d.TotalSeconds, 2) : null,
        ["worker"] = t.Worker,
        ["runId"] = t.RunId,
        ["package"] = t.Package,
        ["error"] = t.Error,
    };

    private static string Page(Study study, IReadOnlyList<TrialRecord> trials, TrialRecord? best, IReadOnlyList<KeyValuePair<string, double>> importance, IReadOnlyList<string> plots)
    {
        var page = new StringBuilder();
        page.AppendLine(CultureInfo.InvariantCulture, $"# Study {study.Name}");
        page.AppendLine();
        var counts = string.Join(", ", Enum.GetValues<TrialState>().Select(s => $"{trials.Count(t => t.State == s)} {s.ToString().ToLowerInvariant()}"));
        page.AppendLine(CultureInfo.InvariantCulture, $"{study.Direction} {study.Info.Metric}; {trials.Count} trials: {counts}.");
        page.AppendLine();
        if (best is not null)
            page.AppendLine(CultureInfo.InvariantCulture, $"Best: trial {best.Number}, {study.Info.Metric} {Format(best.Value)}, {Params(best)}.");
        if (importance.Count > 0)
        {
            page.AppendLine();
            page.AppendLine("Importance (fANOVA): " + string.Join(", ", importance.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:P0}"))) + ".");
        }
        page.AppendLine();
        page.AppendLine("| trial | state | value | params | seconds |");
        page.AppendLine("|---:|---|---:|---|---:|");
        foreach (var t in trials)
        {
            var escaped = Params(t).Replace("|", "\\|", StringComparison.Ordinal);
            var seconds = t.Duration is { } d ? d.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) : "";
            page.AppendLine($"| {t.Number} | {t.State} | {Format(t.Value)} | {escaped} | {seconds} |");
        }
        page.AppendLine();
        foreach (var plot in plots)
            page.AppendLine(CultureInfo.InvariantCulture, $"![{Path.GetFileNameWithoutExtension(plot)}]({Path.GetFileName(plot)})");
        return page.ToString();
    }

    /// <summary>"path=value, …" of a trial's values.</summary>
    public static string Params(TrialRecord trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return string.Join(", ", trial.Params.Select(p => $"{p.Key}={Value(p.Value)}"));
    }

    private static string Value(JsonNode? value) =>
        ParameterDistribution.AsNumber(value) is { } x && value!.ToJsonString().Contains('.', StringComparison.Ordinal)
            ? x.ToString("G4", CultureInfo.InvariantCulture)
            : value?.ToJsonString().Trim('"') ?? "null";

    internal static string Format(double? value) => value is { } v ? v.ToString("G5", CultureInfo.InvariantCulture) : "—";
}
