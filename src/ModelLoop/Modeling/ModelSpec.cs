using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ModelLoop.Modeling.Layers;
using YamlDotNet.RepresentationModel;

namespace ModelLoop.Modeling;

/// <summary>
/// A model written as data: the input shape of one sample and the layers in order. Reads and writes JSON
/// and YAML; reading then building gives the same architecture as the C# that wrote it.
/// </summary>
/// <param name="InputShape">One sample's shape, PyTorch order, e.g. [1, 28, 28].</param>
/// <param name="Layers">The layers, applied in order.</param>
/// <param name="InputKind">Whether inputs are real values or integer token ids. Defaults to real values.</param>
public sealed record ModelSpec(long[] InputShape, IReadOnlyList<Layer> Layers, InputKind InputKind = InputKind.Float)
{
    /// <summary>
    /// For graph models (<see cref="FunctionalModel"/>): the nodes in topological order, each naming its
    /// inputs ("input" is the model input); the last node is the output. Null for a layer stack.
    /// </summary>
    public IReadOnlyList<GraphNode>? Graph { get; init; }

    /// <summary>Spec format version, so later readers can migrate old files.</summary>
    public int FormatVersion { get; init; } = 1;

    private static readonly JsonSerializerOptions Options = CreateOptions();

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static ModelSpec FromJson(string json, string source = "spec")
    {
        ModelSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize<ModelSpec>(json, Options);
        }
        catch (JsonException e)
        {
            throw new FormatException($"The model spec in {source} is not valid: {e.Message} " +
                $"Expected an object with \"inputShape\" (e.g. [1, 28, 28]) and \"layers\", each with a \"type\" among: {string.Join(", ", LayerCatalog.Types.Select(t => t.Name))}.", e);
        }
        if (spec is { Layers: null, Graph.Count: > 0 })
            spec = spec with { Layers = [] };
        if (spec is null || spec.InputShape is null || spec.Layers is null)
            throw new FormatException($"The model spec in {source} lacks \"inputShape\" or \"layers\" (or, for a graph model, \"graph\"). Expected e.g. {{ \"inputShape\": [1, 28, 28], \"layers\": [{{ \"type\": \"Flatten\" }}, {{ \"type\": \"Dense\", \"units\": 10 }}] }}.");
        if (spec.FormatVersion != 1)
            throw new FormatException($"The model spec in {source} has formatVersion {spec.FormatVersion}; this ModelLoop reads version 1. Upgrade ModelLoop to read it.");
        return spec;
    }

    public string ToYaml()
    {
        var node = JsonNode.Parse(ToJson())!;
        var stream = new YamlStream(new YamlDocument(ToYamlNode(node)));
        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString();
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    /// <summary>
    /// The most nodes (mappings, sequences, scalars) a YAML spec may hold once its aliases are expanded: 100,000, far
    /// above any real model spec (a few hundred layers of a few fields). It refuses "billion laughs" documents, whose
    /// nested aliases would expand to millions of nodes, before any expansion happens.
    /// </summary>
    public const int MaxYamlNodes = 100_000;

    /// <exception cref="FormatException">
    /// Not valid YAML, not one document, more than <see cref="MaxYamlNodes"/> nodes after alias expansion, or not a spec.
    /// </exception>
    public static ModelSpec FromYaml(string yaml, string source = "spec")
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new FormatException($"The model spec in {source} is not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
        }
        if (stream.Documents.Count != 1)
            throw new FormatException($"The model spec in {source} holds {stream.Documents.Count} YAML documents; expected exactly one.");
        // Aliases are limited by what they expand to rather than refused: a harmless "units: *width" is fine YAML.
        // YamlDotNet resolves an alias to the anchored node itself, so the document is a graph of shared nodes; its
        // expanded size is counted over that graph (once per distinct node) before it is turned into a JSON tree.
        var expanded = ExpandedSize(stream.Documents[0].RootNode, new Dictionary<YamlNode, long>(ReferenceEqualityComparer.Instance), new HashSet<YamlNode>(ReferenceEqualityComparer.Instance), source);
        if (expanded > MaxYamlNodes)
            throw new FormatException($"The model spec in {source} expands to more than {MaxYamlNodes:N0} YAML nodes once its aliases (*name) are resolved; " +
                "a model spec needs far fewer. Write the repeated parts out, or use fewer nested aliases.");
        return FromJson(ToJsonNode(stream.Documents[0].RootNode)?.ToJsonString() ?? "null", source);
    }

    /// <summary>Reads a .json, .yaml or .yml spec file.</summary>
    public static ModelSpec Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Model spec file '{path}' does not exist. Pass a .json or .yaml file, or a zoo name (see `modelloop train --help`).", path);
        var text = File.ReadAllText(path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".json" => FromJson(text, path),
            ".yaml" or ".yml" => FromYaml(text, path),
            var ext => throw new FormatException($"Model spec file '{path}' has extension '{ext}'; expected .json, .yaml or .yml."),
        };
    }

    /// <summary>Writes the spec as JSON or YAML by extension, atomically (temp file, then rename).</summary>
    public void Save(string path)
    {
        var text = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".json" => ToJson(),
            ".yaml" or ".yml" => ToYaml(),
            var ext => throw new FormatException($"Cannot save a model spec as '{ext}'; use .json, .yaml or .yml."),
        };
        IO.AtomicFile.WriteAllText(path, text);
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var resolver = new DefaultJsonTypeInfoResolver();
        resolver.Modifiers.Add(info =>
        {
            if (info.Type != typeof(Layer))
                return;
            info.PolymorphismOptions = new JsonPolymorphismOptions
            {
                TypeDiscriminatorPropertyName = "type",
                UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization,
            };
            foreach (var type in LayerCatalog.Types)
                info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(type, type.Name));
        });
        return new JsonSerializerOptions
        {
            TypeInfoResolver = resolver,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = true,
            Converters = { new JsonStringEnumConverter() },
            AllowOutOfOrderMetadataProperties = true,
            RespectRequiredConstructorParameters = false, // missing fields are reported by FromJson with an example
        };
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

    /// <summary>Nodes of <paramref name="node"/> with aliases expanded, saturating just above <see cref="MaxYamlNodes"/>; memoized per node.</summary>
    private static long ExpandedSize(YamlNode node, Dictionary<YamlNode, long> sizes, HashSet<YamlNode> open, string source)
    {
        if (sizes.TryGetValue(node, out var known))
            return known;
        if (!open.Add(node))
            throw new FormatException($"The model spec in {source} has an alias inside its own anchor at line {node.Start.Line}; a spec must be a tree. Write the part out instead.");
        var children = node switch
        {
            YamlMappingNode map => map.Children.SelectMany(p => new[] { p.Key, p.Value }),
            YamlSequenceNode seq => seq.Children,
            _ => [],
        };
        long size = 1;
        foreach (var child in children)
        {
            size += ExpandedSize(child, sizes, open, source);
            if (size > MaxYamlNodes)
                break;
        }
        size = Math.Min(size, MaxYamlNodes + 1L);
        open.Remove(node);
        sizes[node] = size;
        return size;
    }

    private static JsonNode? ToJsonNode(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p => new KeyValuePair<string, JsonNode?>(((YamlScalarNode)p.Key).Value ?? "", ToJsonNode(p.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJsonNode).ToArray()),
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
        _ when long.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
        _ when double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => JsonValue.Create(d),
        _ => JsonValue.Create(value),
    };
}

/// <summary>What one input value is.</summary>
public enum InputKind
{
    /// <summary>Real values (float32): images, tabular features.</summary>
    Float,
    /// <summary>Integer token ids (int64), for models that start with an Embedding.</summary>
    TokenIds,
}
