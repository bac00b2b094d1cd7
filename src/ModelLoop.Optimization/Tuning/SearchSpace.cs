using System.Text.Json;
using System.Text.Json.Nodes;
using ModelLoop.IO;
using ModelLoop.Loop;

namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// What a study searches: <see cref="TrainingConfig"/> fields (dotted camelCase paths), each with a distribution and
/// optional conditions. A trial's values are applied to a base config through its JSON, so every field the config
/// has can be searched and nothing else can.
/// </summary>
/// <example>
/// <code>
/// optimizer.learningRate: { type: float, low: 0.0001, high: 0.1, log: true }
/// optimizer.name: { type: categorical, choices: [adam, sgd] }
/// optimizer.momentum: { type: float, low: 0.0, high: 0.99, when: { optimizer.name: sgd } }
/// model.hidden: { type: categorical, choices: [[32], [64, 32], [128, 64]] }
/// batchSize: { type: int, low: 16, high: 128, log: true }
/// </code>
/// </example>
public sealed class SearchSpace
{
    private SearchSpace(IReadOnlyList<SearchParameter> parameters, JsonObject source)
    {
        Parameters = parameters;
        Source = source;
    }

    /// <summary>The parameters, in file order (a condition may name a parameter above it).</summary>
    public IReadOnlyList<SearchParameter> Parameters { get; }

    /// <summary>The space as read, stored with the study so a resumed study can tell a changed space.</summary>
    public JsonObject Source { get; }

    public string ToJson() => CanonicalJson.Canonical(Source)!.ToJsonString();

    /// <summary>True when a trial may change the data (a data.* field): then every trial loads its own.</summary>
    public bool ChangesData => Parameters.Any(p => p.Path.StartsWith("data.", StringComparison.Ordinal));

    /// <summary>Reads a .yaml/.yml/.json space file.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="FormatException">Not a valid space; the message names the parameter.</exception>
    public static SearchSpace Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The search space '{path}' does not exist. Write one (see samples/configs/breast-cancer-mlp-space.yaml).", path);
        var text = File.ReadAllText(path);
        JsonNode? node;
        if (Path.GetExtension(path).Equals(".json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                node = JsonNode.Parse(text);
            }
            catch (JsonException e)
            {
                throw new FormatException($"The search space '{path}' is not valid JSON: {e.Message}", e);
            }
        }
        else
            node = YamlJson.Parse(text, $"The search space '{path}'");
        return Parse(node, path);
    }

    /// <summary>Reads a space from its JSON form: an object of field path → distribution.</summary>
    /// <exception cref="FormatException">Not a valid space; the message names the parameter.</exception>
    public static SearchSpace Parse(JsonNode? node, string source = "search space")
    {
        if (node is not JsonObject root || root.Count == 0)
            throw new FormatException($"The search space {source} must map config fields to distributions, e.g. 'optimizer.learningRate: {{type: float, low: 0.0001, high: 0.1, log: true}}'; received {node?.ToJsonString() ?? "nothing"}.");
        var parameters = new List<SearchParameter>();
        foreach (var (path, value) in root)
        {
            if (value is not JsonObject spec)
                throw new FormatException($"The search space's '{path}' must be a distribution such as {{type: float, low: 0.0001, high: 0.1, log: true}}; received {value?.ToJsonString() ?? "null"}.");
            ConfigPaths.Check(path, "The search space's key");
            var distribution = ParameterDistribution.Parse(path, spec);
            Dictionary<string, JsonNode?>? when = null;
            if (spec["when"] is { } condition)
            {
                if (condition is not JsonObject conditions || conditions.Count == 0)
                    throw new FormatException($"The search space's '{path}' has when: {condition.ToJsonString()}; expected field: value pairs, e.g. when: {{optimizer.name: sgd}}.");
                when = [];
                foreach (var (field, expected) in conditions)
                {
                    ConfigPaths.Check(field, $"The condition of '{path}' names");
                    if (field == path)
                        throw new FormatException($"The search space's '{path}' has a condition on itself; a condition names another field.");
                    if (root.ContainsKey(field) && !parameters.Any(p => p.Path == field))
                        throw new FormatException($"The condition of '{path}' names '{field}', which is sampled below it; move '{field}' above '{path}' in the space.");
                    when[field] = expected?.DeepClone();
                }
            }
            parameters.Add(new SearchParameter(path, distribution, when));
        }
        return new SearchSpace(parameters, (JsonObject)root.DeepClone());
    }

    /// <summary>
    /// Checks, before any trial runs, that every value the space can produce makes a valid config on top of
    /// <paramref name="baseConfig"/> (both ends of each range and every choice).
    /// </summary>
    /// <exception cref="ArgumentException">A value the config refuses; the message names the parameter and the config's reason.</exception>
    public void CheckAgainst(TrainingConfig baseConfig)
    {
        ArgumentNullException.ThrowIfNull(baseConfig);
        foreach (var parameter in Parameters)
        {
            var d = parameter.Distribution;
            IEnumerable<double> probes = d.Kind == ParameterKind.Categorical ? Enumerable.Range(0, d.Choices.Count).Select(i => (double)i) : [d.Low, d.High];
            foreach (var probe in probes)
            {
                var values = new Dictionary<string, JsonNode?>();
                // The probe is applied with the values its conditions need, so a conditional field is checked where it lives.
                foreach (var (field, expected) in parameter.When ?? new Dictionary<string, JsonNode?>())
                    values[field] = expected;
                values[parameter.Path] = d.ToValue(probe);
                try
                {
                    Apply(baseConfig, values);
                }
                catch (Exception e) when (e is ArgumentException or FormatException)
                {
                    throw new ArgumentException($"The search space's '{parameter.Path}' can take {values[parameter.Path]?.ToJsonString()}, which the training config refuses: {e.Message}", e);
                }
            }
        }
    }

    /// <summary>The base config with <paramref name="values"/> (field path → JSON value) set, validated.</summary>
    /// <exception cref="FormatException">A value of the wrong type for its field.</exception>
    /// <exception cref="ArgumentException">A value out of the field's range.</exception>
    public static TrainingConfig Apply(TrainingConfig baseConfig, IReadOnlyDictionary<string, JsonNode?> values)
    {
        var json = (JsonObject)baseConfig.ToJsonNode();
        foreach (var (path, value) in values)
            ConfigPaths.Set(json, path, value);
        return TrainingConfig.FromJsonNode(json, "the trial's config").Validate();
    }
}
