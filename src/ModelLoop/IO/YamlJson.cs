using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace ModelLoop.IO;

/// <summary>
/// YAML ⇄ JSON trees, so every YAML file ModelLoop reads (model specs, training configs, search spaces) is validated by
/// the same System.Text.Json contract as its JSON form. YamlDotNet reads YAML into nodes; the conversion to JSON is
/// written here because YamlDotNet has none that keeps scalar types. Aliases expand while converting, so a document's
/// expanded size is checked first: a "billion laughs" document fails fast with a clear error instead of exhausting memory.
/// </summary>
public static class YamlJson
{
    /// <summary>The most nodes (mappings, sequences, scalars) one YAML document may hold once its aliases are expanded: 1,000,000.</summary>
    public const int MaxNodes = 1_000_000;

    /// <summary>Parses one YAML document into a JSON tree.</summary>
    /// <param name="what">What the document is, for messages, e.g. "The training config in run.yaml".</param>
    /// <param name="maxNodes">The most nodes the document may expand to.</param>
    /// <exception cref="FormatException">
    /// Not valid YAML, not exactly one document, an alias inside its own anchor, or more than <paramref name="maxNodes"/>
    /// nodes after alias expansion.
    /// </exception>
    public static JsonNode? Parse(string yaml, string what, int maxNodes = MaxNodes)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new FormatException($"{what} is not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
        }
        if (stream.Documents.Count != 1)
            throw new FormatException($"{what} holds {stream.Documents.Count} YAML documents; expected exactly one.");
        // Aliases are limited by what they expand to rather than refused: a harmless "units: *width" is fine YAML.
        // YamlDotNet resolves an alias to the anchored node itself, so the document is a graph of shared nodes; its
        // expanded size is counted over that graph (once per distinct node) before anything is expanded.
        var root = stream.Documents[0].RootNode;
        var expanded = ExpandedSize(root, new Dictionary<YamlNode, long>(ReferenceEqualityComparer.Instance), new HashSet<YamlNode>(ReferenceEqualityComparer.Instance), what, maxNodes);
        if (expanded > maxNodes)
            throw new FormatException($"{what} expands to more than {maxNodes:N0} YAML nodes once its aliases (*name) are resolved; " +
                "no real document needs that many. Write the repeated parts out, or use fewer nested aliases.");
        return ToJson(root);
    }

    /// <summary>Writes a JSON tree as YAML (strings double-quoted, so "1" stays a string).</summary>
    public static string ToYaml(JsonNode? node)
    {
        var stream = new YamlStream(new YamlDocument(ToYamlNode(node)));
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString();
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    private static YamlNode ToYamlNode(JsonNode? node) => node switch
    {
        JsonObject obj => new YamlMappingNode(obj.Select(p => new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode(p.Key), ToYamlNode(p.Value)))),
        JsonArray arr => new YamlSequenceNode(arr.Select(ToYamlNode)),
        null => new YamlScalarNode("null"),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => new YamlScalarNode(v.GetValue<string>()) { Style = YamlDotNet.Core.ScalarStyle.DoubleQuoted },
        JsonValue v => new YamlScalarNode(v.ToJsonString()),
        _ => throw new FormatException($"Unsupported JSON node {node.GetType().Name}."),
    };

    /// <summary>Nodes of <paramref name="node"/> with aliases expanded, saturating just above <paramref name="maxNodes"/>; memoized per node.</summary>
    private static long ExpandedSize(YamlNode node, Dictionary<YamlNode, long> sizes, HashSet<YamlNode> open, string what, int maxNodes)
    {
        if (sizes.TryGetValue(node, out var known))
            return known;
        if (!open.Add(node))
            throw new FormatException($"{what} has an alias inside its own anchor at line {node.Start.Line}; the document must be a tree. Write the part out instead.");
        var children = node switch
        {
            YamlMappingNode map => map.Children.SelectMany(p => new[] { p.Key, p.Value }),
            YamlSequenceNode seq => seq.Children,
            _ => [],
        };
        long size = 1;
        foreach (var child in children)
        {
            size += ExpandedSize(child, sizes, open, what, maxNodes);
            if (size > maxNodes)
                break;
        }
        size = Math.Min(size, maxNodes + 1L);
        open.Remove(node);
        sizes[node] = size;
        return size;
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p => new KeyValuePair<string, JsonNode?>(
            p.Key is YamlScalarNode { Value: { } name } ? name : throw new FormatException($"Line {p.Key.Start.Line} has a key that is not a plain name."), ToJson(p.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s => PlainScalar(s.Value ?? ""),
        YamlScalarNode s => JsonValue.Create(s.Value),
        _ => throw new FormatException($"Unsupported YAML node at line {node.Start.Line}."),
    };

    // YAML plain scalars are untyped: read them as JSON would (numbers, booleans, null), else as strings. "NaN" and
    // "Infinity" parse as doubles in .NET but are strings in YAML 1.2 core (and cannot be written as JSON).
    private static JsonNode? PlainScalar(string value) => value switch
    {
        "null" or "~" or "" => null,
        "true" => JsonValue.Create(true),
        "false" => JsonValue.Create(false),
        _ when long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
        _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => JsonValue.Create(d),
        _ => JsonValue.Create(value),
    };
}
