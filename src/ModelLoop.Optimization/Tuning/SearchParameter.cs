using System.Text.Json.Nodes;

namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// One dimension of a <see cref="SearchSpace"/>: a <see cref="Loop.TrainingConfig"/> field path in camelCase (e.g.
/// <c>optimizer.learningRate</c>), what it may take, and when it exists at all.
/// </summary>
/// <param name="Path">The config field, dotted camelCase as in the YAML config (model.dropout, batchSize).</param>
/// <param name="Distribution">The values it may take.</param>
/// <param name="When">
/// Conditions, all of which must hold for the parameter to be sampled: field path → value, where the field is another
/// parameter of the space (sampled earlier in the file) or a field of the base config. Defaults to none (always sampled).
/// </param>
public sealed record SearchParameter(string Path, ParameterDistribution Distribution, IReadOnlyDictionary<string, JsonNode?>? When = null)
{
    /// <summary>Whether the conditions hold for the values sampled so far (and the base config for fields not sampled).</summary>
    internal bool IsActive(IReadOnlyDictionary<string, JsonNode?> sampled, JsonObject baseConfig)
    {
        if (When is null)
            return true;
        foreach (var (path, expected) in When)
        {
            var actual = sampled.TryGetValue(path, out var value) ? value : ConfigPaths.Get(baseConfig, path);
            if (!ValuesEqual(actual, expected))
                return false;
        }
        return true;
    }

    /// <summary>JSON equality where 1 and 1.0 are one number and "SGD" matches "sgd" (config names are case-insensitive).</summary>
    private static bool ValuesEqual(JsonNode? a, JsonNode? b)
    {
        if (ParameterDistribution.AsNumber(a) is { } x && ParameterDistribution.AsNumber(b) is { } y)
            return x == y;
        if (a is JsonValue va && b is JsonValue vb && va.GetValueKind() == System.Text.Json.JsonValueKind.String && vb.GetValueKind() == System.Text.Json.JsonValueKind.String)
            return string.Equals(va.GetValue<string>(), vb.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        return JsonNode.DeepEquals(a, b);
    }
}
