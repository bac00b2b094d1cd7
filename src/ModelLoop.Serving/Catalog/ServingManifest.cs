using System.Text.Json;

namespace ModelLoop.Serving.Catalog;

/// <summary>
/// The optional <c>serving.json</c> beside a run's model.json: feature names for JSON records, the
/// standardization fitted at training time (applied server-side, so clients send raw values) and batching.
/// Example: <c>{ "featureNames": ["a", "b"], "mean": [0.5, 2], "std": [1, 3], "maxBatchSize": 64, "maxDelayMs": 2 }</c>.
/// </summary>
public sealed record ServingManifest
{
    public string[]? FeatureNames { get; init; }
    public float[]? Mean { get; init; }
    public float[]? Std { get; init; }
    public int? MaxBatchSize { get; init; }
    public double? MaxDelayMs { get; init; }
    public int? QueueCapacity { get; init; }

    public const string FileName = "serving.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Writes serving.json into a run folder (atomically).</summary>
    public void Save(string folder) => ModelLoop.IO.AtomicFile.WriteAllText(Path.Combine(folder, FileName), ToJson());

    internal static ServingManifest Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
            return new ServingManifest();
        try
        {
            return JsonSerializer.Deserialize<ServingManifest>(File.ReadAllText(path), Json) ?? new ServingManifest();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid: {e.Message} Expected e.g. {{ \"featureNames\": [\"a\"], \"mean\": [0], \"std\": [1], \"maxBatchSize\": 32, \"maxDelayMs\": 2 }}.", e);
        }
    }

    internal string ToJson() => JsonSerializer.Serialize(this, Json);

    internal BatchingOptions Batching(BatchingOptions defaults) => defaults with
    {
        MaxBatchSize = MaxBatchSize ?? defaults.MaxBatchSize,
        MaxDelay = MaxDelayMs is { } ms ? TimeSpan.FromMilliseconds(ms) : defaults.MaxDelay,
        QueueCapacity = QueueCapacity ?? defaults.QueueCapacity,
    };

    /// <summary>(x - mean) / std per value, or null when no standardization was saved.</summary>
    internal Func<float[], float[]>? Standardizer(long elements, string folder)
    {
        if (Mean is null && Std is null)
            return null;
        if (Mean is null || Std is null || Mean.Length != elements || Std.Length != elements)
            throw new InvalidDataException($"'{Path.Combine(folder, FileName)}' must give both \"mean\" and \"std\" with {elements} values each (one per input value); received {Mean?.Length ?? 0} and {Std?.Length ?? 0}.");
        if (Std.Any(s => !(s > 0) || !float.IsFinite(s)))
            throw new InvalidDataException($"'{Path.Combine(folder, FileName)}' has a \"std\" value that is not a positive finite number; write 1 for a constant feature.");
        var mean = Mean;
        var std = Std;
        return raw =>
        {
            var result = new float[raw.Length];
            for (var i = 0; i < raw.Length; i++)
                result[i] = (raw[i] - mean[i]) / std[i];
            return result;
        };
    }
}
