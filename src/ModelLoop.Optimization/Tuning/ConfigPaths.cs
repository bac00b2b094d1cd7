using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using ModelLoop.Loop;

namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// Dotted camelCase paths into a <see cref="TrainingConfig"/>'s JSON (optimizer.learningRate): checked against the
/// config's own serialized fields, so the list of accepted names is the config's and never a second copy of it.
/// </summary>
internal static class ConfigPaths
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>Checks that every segment of <paramref name="path"/> is a field of the config record it lands in.</summary>
    /// <exception cref="FormatException">An unknown segment; the message names it and lists the fields accepted there.</exception>
    public static void Check(string path, string what)
    {
        var type = typeof(TrainingConfig);
        var walked = "";
        foreach (var segment in path.Split('.'))
        {
            var info = Options.GetTypeInfo(type);
            var fields = info.Properties.Where(p => p.Get is not null).ToList();
            var field = fields.FirstOrDefault(p => p.Name == segment);
            if (field is null || info.Kind != JsonTypeInfoKind.Object || type == typeof(JsonNode))
                throw new FormatException($"{what} '{path}' is not a training config field: {(walked.Length == 0 ? "the config" : walked)} has no field '{segment}'. " +
                    $"Accepted {(walked.Length == 0 ? "top-level fields" : $"fields of {walked}")}: {string.Join(", ", fields.Select(p => p.Name))}.");
            walked = walked.Length == 0 ? segment : $"{walked}.{segment}";
            type = Nullable.GetUnderlyingType(field.PropertyType) ?? field.PropertyType;
            if (Options.GetTypeInfo(type).Kind != JsonTypeInfoKind.Object && walked != path)
                throw new FormatException($"{what} '{path}' goes below {walked}, which is a value, not a section; use '{walked}' itself.");
        }
    }

    /// <summary>The value at <paramref name="path"/>, or null when it (or a section above it) is absent.</summary>
    public static JsonNode? Get(JsonObject root, string path)
    {
        JsonNode? node = root;
        foreach (var segment in path.Split('.'))
            node = node is JsonObject o && o.TryGetPropertyValue(segment, out var child) ? child : null;
        return node;
    }

    /// <summary>Sets <paramref name="path"/>, creating absent sections (a null schedule becomes {field: value}).</summary>
    public static void Set(JsonObject root, string path, JsonNode? value)
    {
        var segments = path.Split('.');
        var node = root;
        foreach (var segment in segments[..^1])
        {
            if (node[segment] is not JsonObject child)
                node[segment] = child = new JsonObject();
            node = child;
        }
        node[segments[^1]] = value?.DeepClone();
    }
}
