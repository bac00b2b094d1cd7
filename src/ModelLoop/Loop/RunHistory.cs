using System.Globalization;
using ModelLoop.Tracking;

namespace ModelLoop.Loop;

/// <summary>A run's per-epoch metrics, read back from its history.csv or from the run store.</summary>
public static class RunHistory
{
    /// <summary>
    /// history.csv as MetricsLogger writes it: a header of metric names, then one row of invariant-culture numbers per
    /// epoch (no quoting ever occurs, so a plain split is exact). A missing file is no history.
    /// </summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, double>> FromCsv(string path)
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

    /// <summary>The run's epoch metrics from the run store, one row per epoch (batch/… and final test_… points left out).</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, double>> FromStore(RunStore store, string runId)
    {
        ArgumentNullException.ThrowIfNull(store);
        var metrics = store.GetMetrics(runId).Where(m => !m.Key.StartsWith("batch/", StringComparison.Ordinal) && !m.Key.StartsWith("test_", StringComparison.Ordinal)).ToArray();
        var epochs = metrics.SelectMany(m => m.Value.Select(p => p.Step)).Distinct().Order().ToArray();
        return epochs.Select(step => (IReadOnlyDictionary<string, double>)metrics
            .Where(m => m.Value.Any(p => p.Step == step))
            .ToDictionary(m => m.Key, m => m.Value.Last(p => p.Step == step).Value)).ToArray();
    }
}
