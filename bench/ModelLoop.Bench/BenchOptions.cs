using System.Globalization;

namespace ModelLoop.Bench;

/// <summary>"--key value" and "--flag" arguments.</summary>
internal sealed class BenchOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"Expected an option like --epochs 3; received '{args[i]}'.");
            var key = args[i][2..];
            var hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            options._values[key] = hasValue ? args[++i] : "true";
        }
        return options;
    }

    public int Int(string key, int fallback) => _values.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
    public double Double(string key, double fallback) => _values.TryGetValue(key, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
    public string String(string key, string fallback) => _values.GetValueOrDefault(key, fallback);
    public bool Flag(string key) => _values.TryGetValue(key, out var v) && v != "false";
    public int[] Ints(string key, int[] fallback) => _values.TryGetValue(key, out var v) ? v.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() : fallback;
}
