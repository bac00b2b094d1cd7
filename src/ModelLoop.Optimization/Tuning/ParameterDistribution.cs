using System.Globalization;
using System.Text.Json.Nodes;

namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// The values one parameter may take: <c>{type: float, low, high, log?, step?}</c>, <c>{type: int, low, high, log?, step?}</c>
/// or <c>{type: categorical, choices: [...]}</c>. Samplers work on an internal number: the value itself for float and int,
/// the choice's index for categorical (<see cref="ToInternal"/>, <see cref="ToValue"/>).
/// </summary>
public sealed record ParameterDistribution
{
    public required ParameterKind Kind { get; init; }
    /// <summary>Smallest value (float, int). Defaults to 0.</summary>
    public double Low { get; init; }
    /// <summary>Largest value, included (float, int). Defaults to 0.</summary>
    public double High { get; init; }
    /// <summary>Sample uniformly in log space (float, int; needs low &gt; 0 and no step). Defaults to false.</summary>
    public bool Log { get; init; }
    /// <summary>Grid spacing from <see cref="Low"/> (float, int). Defaults to null: continuous floats, int step 1.</summary>
    public double? Step { get; init; }
    /// <summary>The choices (categorical), any JSON values (numbers, strings, lists). Defaults to none.</summary>
    public IReadOnlyList<JsonNode?> Choices { get; init; } = [];

    /// <summary>The spacing between values: the step, 1 for an int without one, null for a continuous float.</summary>
    internal double? Spacing => Kind == ParameterKind.Int ? Step ?? 1 : Step;

    /// <summary>Grid values (categorical indices, or every step of a stepped range); null for a continuous float.</summary>
    internal IReadOnlyList<double>? GridValues()
    {
        if (Kind == ParameterKind.Categorical)
            return Enumerable.Range(0, Choices.Count).Select(i => (double)i).ToArray();
        if (Spacing is not { } step)
            return null;
        var count = (int)Math.Floor((High - Low) / step + 1e-9) + 1;
        return Enumerable.Range(0, count).Select(i => Low + i * step).ToArray();
    }

    /// <summary>Rounds an internal number onto the distribution (a step, an int, a choice index) and clips it into range.</summary>
    internal double Snap(double x)
    {
        if (Kind == ParameterKind.Categorical)
            return Math.Clamp(Math.Round(x), 0, Choices.Count - 1);
        if (Spacing is { } step)
        {
            var last = Math.Floor((High - Low) / step + 1e-9);
            return Low + Math.Clamp(Math.Round((x - Low) / step), 0, last) * step;
        }
        return Math.Clamp(x, Low, High);
    }

    /// <summary>The JSON value for an internal number: the choice itself, an integer, or a float.</summary>
    public JsonNode? ToValue(double x) => Kind switch
    {
        ParameterKind.Categorical => Choices[(int)Snap(x)]?.DeepClone(),
        ParameterKind.Int => JsonValue.Create((long)Math.Round(Snap(x))),
        _ => JsonValue.Create(Snap(x)),
    };

    /// <summary>The internal number of a JSON value (a stored trial's parameter); null when it is not one of this distribution's values.</summary>
    public double? ToInternal(JsonNode? value)
    {
        if (Kind == ParameterKind.Categorical)
        {
            for (var i = 0; i < Choices.Count; i++)
                if (JsonNode.DeepEquals(Choices[i], value))
                    return i;
            return null;
        }
        return AsNumber(value);
    }

    /// <summary>A JSON number as a double (whatever CLR type a YAML or JSON reader gave the value), else null.</summary>
    internal static double? AsNumber(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? double.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture)
            : null;

    /// <summary>Reads <c>{type, low, high, log, step}</c> or <c>{type: categorical, choices}</c>.</summary>
    /// <exception cref="FormatException">An unknown type, low ≥ high, a log range with low ≤ 0, empty choices; the message names <paramref name="path"/>.</exception>
    internal static ParameterDistribution Parse(string path, JsonObject node)
    {
        var type = node["type"] is JsonValue t && t.GetValueKind() == System.Text.Json.JsonValueKind.String ? t.GetValue<string>().Trim().ToLowerInvariant() : null;
        foreach (var key in node.Select(p => p.Key))
            if (key is not ("type" or "low" or "high" or "log" or "step" or "choices" or "when"))
                throw new FormatException($"The search space's '{path}' has an unknown key '{key}'; a parameter takes type, low, high, log, step (float, int), choices (categorical) and when (a condition).");
        switch (type)
        {
            case "categorical":
                if (node["choices"] is not JsonArray choices || choices.Count == 0)
                    throw new FormatException($"The search space's '{path}' is categorical but has no choices; give choices: [a, b, ...].");
                return new ParameterDistribution { Kind = ParameterKind.Categorical, Choices = choices.Select(c => c?.DeepClone()).ToArray() };
            case "float" or "int":
                var kind = type == "int" ? ParameterKind.Int : ParameterKind.Float;
                var low = Number(path, node, "low");
                var high = Number(path, node, "high");
                var log = node["log"]?.GetValueKind() == System.Text.Json.JsonValueKind.True;
                double? step = node["step"] is null ? null : Number(path, node, "step");
                if (!(low < high))
                    throw new FormatException($"The search space's '{path}' needs low < high; received low {Format(low)}, high {Format(high)}.");
                if (log && low <= 0)
                    throw new FormatException($"The search space's '{path}' is log-scaled, so low must be positive; received low {Format(low)}.");
                if (log && step is not null)
                    throw new FormatException($"The search space's '{path}' has both log: true and a step; use one (Optuna's rule too).");
                if (step is { } st && !(st > 0))
                    throw new FormatException($"The search space's '{path}' needs a positive step; received {Format(st)}.");
                if (kind == ParameterKind.Int && (low != Math.Floor(low) || high != Math.Floor(high) || (step is { } si && si != Math.Floor(si))))
                    throw new FormatException($"The search space's '{path}' is an int, so low, high and step must be whole numbers; received low {Format(low)}, high {Format(high)}.");
                return new ParameterDistribution { Kind = kind, Low = low, High = high, Log = log, Step = step };
            default:
                throw new FormatException($"The search space's '{path}' has type '{node["type"]?.ToJsonString() ?? "(none)"}'; expected float, int or categorical, e.g. {{type: float, low: 0.0001, high: 0.1, log: true}}.");
        }
    }

    private static double Number(string path, JsonObject node, string key) =>
        AsNumber(node[key]) is { } d && double.IsFinite(d)
            ? d
            : throw new FormatException($"The search space's '{path}' needs a number for '{key}'; received {node[key]?.ToJsonString() ?? "nothing"}.");

    internal static string Format(double x) => x.ToString("G6", CultureInfo.InvariantCulture);
}
