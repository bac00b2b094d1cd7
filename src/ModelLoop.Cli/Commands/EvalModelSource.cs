using System.Globalization;
using System.Text.Json;
using ModelLoop.Modeling;

namespace ModelLoop.Cli.Commands;

/// <summary>A model ready to evaluate, its spec, its training history (epochs), and whether it was trained as a regressor.</summary>
internal sealed record EvalModel(Model Model, ModelSpec Spec, IReadOnlyList<IReadOnlyDictionary<string, double>> History, bool Regression, string Description);

/// <summary>
/// Where <c>modelloop eval</c> gets models from. Today: a run folder written by <c>modelloop train</c>
/// (model.json spec, weights.bin, history.csv, summary.json). A registry artifact plugs in here, behind <see cref="Load"/>.
/// </summary>
internal static class EvalModelSource
{
    public static EvalModel Load(string source)
    {
        if (!Directory.Exists(source))
            throw new DirectoryNotFoundException($"MODEL '{source}' is not a folder. Pass a run folder written by `modelloop train --out DIR` (it holds model.json and weights.bin).");
        var spec = Path.Combine(source, "model.json");
        var weights = Path.Combine(source, "weights.bin");
        foreach (var file in new[] { spec, weights })
            if (!File.Exists(file))
                throw new FileNotFoundException($"The run folder '{source}' has no {Path.GetFileName(file)}; expected model.json and weights.bin as `modelloop train` writes them. Was the run finished?", file);
        var modelSpec = ModelSpec.Load(spec);
        var model = Model.FromSpec(modelSpec);
        model.LoadWeights(weights);
        return new EvalModel(model, modelSpec, ReadHistory(Path.Combine(source, "history.csv")), WasRegression(Path.Combine(source, "summary.json")), Path.GetFullPath(source));
    }

    /// <summary>
    /// history.csv as MetricsLogger writes it: a header of metric names, then one row of invariant-culture numbers
    /// per epoch (no quoting ever occurs, so a plain split is exact). Missing file: no history.
    /// </summary>
    private static IReadOnlyList<IReadOnlyDictionary<string, double>> ReadHistory(string path)
    {
        if (!File.Exists(path))
            return [];
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        if (lines.Length < 2)
            return [];
        var keys = lines[0].Split(',');
        return lines.Skip(1).Select(line =>
        {
            var values = line.Split(',');
            var row = new Dictionary<string, double>();
            for (var i = 0; i < keys.Length && i < values.Length; i++)
                if (double.TryParse(values[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                    row[keys[i]] = v;
            return (IReadOnlyDictionary<string, double>)row;
        }).ToArray();
    }

    /// <summary>A run trained with MSE reports "mae" as its test metric (see TrainCommand).</summary>
    private static bool WasRegression(string summaryPath)
    {
        if (!File.Exists(summaryPath))
            return false;
        using var summary = JsonDocument.Parse(File.ReadAllText(summaryPath));
        return summary.RootElement.TryGetProperty("test", out var test) && test.ValueKind == JsonValueKind.Object && test.TryGetProperty("mae", out _);
    }
}
