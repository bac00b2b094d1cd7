using System.Globalization;
using System.Text.RegularExpressions;

namespace ModelLoop.Dashboard.Serving;

/// <summary>
/// One reading of the server's Prometheus series (what /metrics shows), parsed from the text exposition format:
/// series name → (labels, value). Parsed by hand: the format is one "name{labels} value" per line, and prometheus-net
/// offers no typed read of a histogram's buckets.
/// </summary>
internal sealed partial record MetricsSnapshot(DateTimeOffset At, IReadOnlyList<MetricsSnapshot.Sample> Samples)
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?<labels>.*)\})?\s+(?<value>\S+)")]
    private static partial Regex Line();

    [GeneratedRegex(@"(?<k>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<v>(?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();

    public static MetricsSnapshot Parse(string text, DateTimeOffset at, string prefix)
    {
        var samples = new List<Sample>();
        foreach (var raw in text.Split('\n'))
        {
            if (raw.Length == 0 || raw[0] == '#' || !raw.StartsWith(prefix, StringComparison.Ordinal))
                continue;
            var match = Line().Match(raw);
            if (!match.Success || !double.TryParse(match.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                continue;
            var labels = Label().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups["k"].Value, m => Regex.Unescape(m.Groups["v"].Value));
            samples.Add(new Sample(match.Groups["name"].Value, labels, value));
        }
        return new MetricsSnapshot(at, samples);
    }

    public IEnumerable<string> Models => Samples.Where(s => s.Name == "modelloop_requests_total").Select(s => s.Labels.GetValueOrDefault("model") ?? "").Distinct().Order(StringComparer.Ordinal);

    /// <summary>Sum of the series <paramref name="name"/> for <paramref name="model"/> whose labels pass <paramref name="where"/>.</summary>
    public double Sum(string name, string model, Func<IReadOnlyDictionary<string, string>, bool>? where = null) =>
        Samples.Where(s => s.Name == name && s.Labels.GetValueOrDefault("model") == model && (where?.Invoke(s.Labels) ?? true)).Sum(s => s.Value);

    /// <summary>A histogram's cumulative bucket counts for <paramref name="model"/>: upper bound → count, ascending.</summary>
    public IReadOnlyList<(double Le, double Count)> Buckets(string histogram, string model) =>
        Samples.Where(s => s.Name == histogram + "_bucket" && s.Labels.GetValueOrDefault("model") == model)
            .Select(s => (Le: s.Labels["le"] == "+Inf" ? double.PositiveInfinity : double.Parse(s.Labels["le"], CultureInfo.InvariantCulture), s.Value))
            .OrderBy(b => b.Le).ToList();
}
