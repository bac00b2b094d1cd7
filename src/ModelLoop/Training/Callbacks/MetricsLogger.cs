using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ModelLoop.Training.Callbacks;

/// <summary>File format of <see cref="MetricsLogger"/>.</summary>
public enum MetricsFormat
{
    Csv,
    /// <summary>JSON lines: one object per epoch.</summary>
    JsonLines,
}

/// <summary>
/// Writes every epoch's logs to a CSV or JSON-lines file as training goes. Each epoch rewrites the file
/// atomically with all rows so far, so the file is always complete and readable.
/// </summary>
public sealed class MetricsLogger(string path, MetricsFormat format = MetricsFormat.Csv) : Callback
{
    // A metric undefined on some data (roc_auc of one class) is NaN: written as "NaN", not an exception.
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private readonly List<IReadOnlyDictionary<string, double>> _rows = new();

    public override void OnTrainBegin(TrainingContext context) => _rows.Clear();

    public override void OnEpochEnd(TrainingContext context)
    {
        _rows.Add(new Dictionary<string, double>(context.Logs) { ["epoch"] = context.Epoch + 1 });
        var text = new StringBuilder();
        if (format == MetricsFormat.Csv)
        {
            var keys = _rows.SelectMany(r => r.Keys).Distinct().OrderBy(k => k == "epoch" ? 0 : 1).ToList();
            text.AppendLine(string.Join(',', keys));
            foreach (var row in _rows)
                text.AppendLine(string.Join(',', keys.Select(k => row.TryGetValue(k, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "")));
        }
        else
        {
            foreach (var row in _rows)
                text.AppendLine(JsonSerializer.Serialize(row, Json));
        }
        IO.AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>Keeps the rows written so far, so a resumed run's file still has every epoch.</summary>
    public override JsonNode? SaveState() => JsonSerializer.SerializeToNode(_rows, Json);

    public override void LoadState(JsonNode state)
    {
        _rows.Clear();
        _rows.AddRange(state.Deserialize<List<Dictionary<string, double>>>(Json) ?? []);
    }
}
