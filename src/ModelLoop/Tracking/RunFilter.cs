using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ModelLoop.Tracking;

/// <summary>
/// Turns <see cref="RunQuery.Filter"/> into a SQL WHERE clause with parameters (never text pasted into SQL). Written by
/// hand: the grammar is five clause shapes joined by "and", smaller than any query-language library's setup.
/// </summary>
internal static partial class RunFilter
{
    [GeneratedRegex(@"^\s*(?:(?<kind>params|metrics)\.(?<key>[^\s=!<>]+)|(?<kind>name|status))\s*(?<op>!=|>=|<=|=|>|<)\s*(?<value>.+?)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Clause();

    [GeneratedRegex(@"\s+and\s+", RegexOptions.IgnoreCase)]
    private static partial Regex And();

    public static (string Where, List<(string Name, object? Value)> Parameters) ToSql(string? filter)
    {
        var parameters = new List<(string, object?)>();
        if (string.IsNullOrWhiteSpace(filter))
            return ("", parameters);
        var sql = new StringBuilder();
        foreach (var text in And().Split(filter.Trim()))
        {
            var match = Clause().Match(text);
            if (!match.Success)
                throw new ArgumentException($"Filter clause '{text}' is not understood. Expected params.KEY OP VALUE, metrics.KEY OP VALUE, name OP VALUE or status = STATUS, with OP one of = != > >= < <=, clauses joined by 'and' (e.g. params.optimizer = adam and metrics.val_accuracy > 0.9).", nameof(RunQuery.Filter));
            var kind = match.Groups["kind"].Value.ToLowerInvariant();
            var op = match.Groups["op"].Value;
            var raw = match.Groups["value"].Value.Trim().Trim('\'', '"');
            var number = double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : (double?)null;
            var n = parameters.Count;
            string left;
            switch (kind)
            {
                case "params":
                    parameters.Add(($"$k{n}", "$.\"" + match.Groups["key"].Value.Replace("\"", "\\\"", StringComparison.Ordinal) + "\""));
                    left = number is null ? $"json_extract(params_json, $k{n})" : $"CAST(json_extract(params_json, $k{n}) AS REAL)";
                    break;
                case "metrics":
                    if (number is null)
                        throw new ArgumentException($"Filter clause '{text}' compares a metric with '{raw}', which is not a number. Metrics are numbers: write e.g. metrics.{match.Groups["key"].Value} > 0.9.", nameof(RunQuery.Filter));
                    parameters.Add(($"$k{n}", match.Groups["key"].Value));
                    parameters.Add(($"$v{n}", number.Value));
                    // The metric's last value, from run_last_metrics: one primary-key seek per run in a table of one row per
                    // (run, metric), so the page scans runs_by_start newest first and stops at its limit (an IN list of the
                    // matching ids would make SQLite sort every match first). A run without the metric, or whose last value is
                    // not finite (NULL), matches no comparison.
                    sql.Append(sql.Length == 0 ? "WHERE " : " AND ")
                        .Append($"EXISTS (SELECT 1 FROM run_last_metrics l WHERE l.run_id = runs.id AND l.key = $k{n} AND l.value {op} $v{n})");
                    continue;
                case "status":
                    if (!Enum.TryParse<RunStatus>(raw, ignoreCase: true, out var status) || op is not ("=" or "!="))
                        throw new ArgumentException($"Filter clause '{text}': status takes = or != and one of {string.Join(", ", Enum.GetNames<RunStatus>())}; received '{op} {raw}'.", nameof(RunQuery.Filter));
                    raw = status.ToString();
                    number = null;
                    left = "status";
                    break;
                default:
                    number = null;
                    left = "name";
                    break;
            }
            parameters.Add(($"$v{n}", number is { } value ? value : raw));
            sql.Append(sql.Length == 0 ? "WHERE " : " AND ").Append(left).Append(' ').Append(op).Append($" $v{n}");
        }
        return (sql.ToString(), parameters);
    }
}
