using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ModelLoop.Modeling.Layers;

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

    /// <summary>
    /// A token-id model's vocabulary size: that of the Embedding or Gpt its input goes into, which every input id must be
    /// below (an id outside [0, VocabularySize) makes the forward pass throw). Null when the input goes into neither.
    /// </summary>
    [JsonIgnore]
    public int? VocabularySize =>
        (Graph is { Count: > 0 } graph ? graph.FirstOrDefault(n => n.Inputs.Contains("input"))?.Layer : Layers?.FirstOrDefault()) switch
        {
            Embedding embedding => embedding.VocabularySize,
            Gpt gpt => gpt.VocabularySize,
            _ => null,
        };

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

    public string ToYaml() => IO.YamlJson.ToYaml(JsonNode.Parse(ToJson()));

    /// <summary>
    /// The most nodes (mappings, sequences, scalars) a YAML spec may hold once its aliases are expanded: 100,000, far
    /// above any real model spec (a few hundred layers of a few fields). It refuses "billion laughs" documents, whose
    /// nested aliases would expand to millions of nodes, before any expansion happens.
    /// </summary>
    public const int MaxYamlNodes = 100_000;

    /// <exception cref="FormatException">
    /// Not valid YAML, not one document, more than <see cref="MaxYamlNodes"/> nodes after alias expansion, or not a spec.
    /// </exception>
    public static ModelSpec FromYaml(string yaml, string source = "spec") =>
        FromJson(IO.YamlJson.Parse(yaml, $"The model spec in {source}", MaxYamlNodes)?.ToJsonString() ?? "null", source);

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
}

/// <summary>What one input value is.</summary>
public enum InputKind
{
    /// <summary>Real values (float32): images, tabular features.</summary>
    Float,
    /// <summary>Integer token ids (int64), for models that start with an Embedding.</summary>
    TokenIds,
}
