using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace ModelLoop.IO;

/// <summary>
/// YAML ⇄ JSON trees, so every YAML file ModelLoop reads (model specs, training configs, search spaces) is validated by
/// the same System.Text.Json contract as its JSON form. YamlDotNet reads YAML into nodes; the conversion to JSON is
/// written here because YamlDotNet has none that keeps scalar types. Aliases expand while converting, so the number of
/// JSON nodes produced is capped: a "billion laughs" document fails fast with a clear error instead of exhausting memory.
/// </summary>
public static class YamlJson
{
    /// <summary>The most JSON nodes one YAML document may expand to (aliases included): 1,000,000.</summary>
    public const int MaxNodes = 1_000_000;

    /// <summary>Parses one YAML document into a JSON tree.</summary>
    /// <exception cref="FormatException">The YAML is malformed, holds no document, or expands beyond <see cref="MaxNodes"/> nodes.</exception>
    public static JsonNode? Parse(string yaml, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new FormatException($"{source} is not valid YAML (line {e.Start.Line}, column {e.Start.Column}): {e.Message}", e);
        }
        if (stream.Documents.Count == 0)
            throw new FormatException($"{source} holds no YAML document.");
        var budget = MaxNodes;
        return ToJson(stream.Documents[0].RootNode, source, ref budget);
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

    private static JsonNode? ToJson(YamlNode node, string source, ref int budget)
    {
        if (--budget < 0)
            throw new FormatException($"{source} expands to more than {MaxNodes:N0} values (YAML aliases repeat what they point at). Write the document without nested aliases.");
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    if (key is not YamlScalarNode { Value: { } name })
                        throw new FormatException($"{source}: line {key.Start.Line} has a key that is not a plain name.");
                    obj[name] = ToJson(value, source, ref budget);
                }
                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var child in sequence.Children)
                    array.Add(ToJson(child, source, ref budget));
                return array;
            case YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } plain:
                return PlainScalar(plain.Value ?? "");
            case YamlScalarNode scalar:
                return JsonValue.Create(scalar.Value);
            default:
                throw new FormatException($"{source}: unsupported YAML node at line {node.Start.Line}.");
        }
    }

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
