using System.Globalization;
using System.Text.Json;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Artifacts;
using ModelLoop.Registry;

namespace ModelLoop.Serving.Catalog;

/// <summary>
/// Models from the model registry (<see cref="ModelRegistry"/>): every registered name, its versions ("1", "2", …)
/// and aliases. A request without a version gets the <see cref="DefaultAlias"/> ("production"); a model that
/// has no such alias yet is served at "latest", its newest version, so a freshly registered model answers
/// before anyone promotes it. Versions are loaded through <see cref="ModelRegistry.Load"/>, so every file is
/// verified against the checksums recorded at registration (and decrypted with the artifact key when encrypted).
/// When the artifact carries the data stage's fitted <see cref="PreprocessingPipeline"/>, the server applies it
/// to every raw record (tabular) or image (per-channel normalization): clients send raw rows.
/// <see cref="GetChangeStamp"/> is the registry's <see cref="ModelRegistry.ChangeCounter"/>: a promotion or
/// rollback moves it, and the server's next poll switches to the new version (hot reload).
/// </summary>
public sealed class RegistryCatalog : IModelCatalog
{
    /// <summary>The alias served when a request names no version: "production".</summary>
    public const string DefaultAlias = "production";

    private readonly ArtifactEncryptionKey? _key;

    /// <param name="registry">The registry to serve from.</param>
    /// <param name="defaultBatching">Batching of every model. Defaults to <see cref="BatchingOptions"/>' defaults.</param>
    /// <param name="encryptionKey">Key for encrypted artifacts. Defaults to null: the key in MODELLOOP_ARTIFACT_KEY, if set.</param>
    public RegistryCatalog(ModelRegistry registry, BatchingOptions? defaultBatching = null, ArtifactEncryptionKey? encryptionKey = null)
    {
        Registry = registry ?? throw new ArgumentNullException(nameof(registry));
        DefaultBatching = (defaultBatching ?? new BatchingOptions()).Validate();
        _key = encryptionKey;
    }

    public ModelRegistry Registry { get; }
    public BatchingOptions DefaultBatching { get; }

    public IReadOnlyList<ModelInfo> List() =>
        Registry.ListModels().Where(m => m.VersionCount > 0).Select(m =>
        {
            // Versions are numbered 1… and never deleted, so the count and the latest agree; read them otherwise.
            var versions = m.VersionCount == m.LatestVersion
                ? Enumerable.Range(1, m.LatestVersion).Select(Text).ToList()
                : Registry.ListVersions(m.Name).Select(v => Text(v.Version)).ToList();
            var aliases = m.Aliases.ToDictionary(a => a.Key, a => Text(a.Value), StringComparer.Ordinal);
            aliases["latest"] = Text(m.LatestVersion);
            return new ModelInfo(m.Name, versions, aliases);
        }).ToList();

    public ValueTask<string?> ResolveVersion(string name, string? versionOrAlias, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name) || versionOrAlias is { Length: 0 })
            return ValueTask.FromResult<string?>(null);
        try
        {
            if (versionOrAlias is null)
            {
                // One indexed read in the common case (the alias is set); "latest" only for a model not promoted yet.
                if (Registry.GetAliasVersion(name, DefaultAlias) is { } promoted)
                    return ValueTask.FromResult<string?>(Text(promoted));
                versionOrAlias = "latest";
            }
            return ValueTask.FromResult<string?>(Text(Registry.GetVersion(name, versionOrAlias).Version));
        }
        catch (Exception e) when (e is KeyNotFoundException or ArgumentException)
        {
            return ValueTask.FromResult<string?>(null); // unknown model, version or alias: the API answers 404
        }
    }

    public ValueTask<long?> GetChangeStamp(CancellationToken cancellationToken) => ValueTask.FromResult<long?>(Registry.ChangeCounter);

    /// <summary>
    /// Loads a verified version. Throws <see cref="InvalidDataException"/> (the server answers 503 for this
    /// model and keeps serving the others) when a file does not verify, the artifact is encrypted and the key
    /// is missing or wrong, or its preprocessing does not fit the model; <see cref="FormatException"/> when the
    /// key in MODELLOOP_ARTIFACT_KEY or the pipeline JSON is malformed.
    /// </summary>
    public ValueTask<ServableModel?> Load(string name, string version, CancellationToken cancellationToken)
    {
        if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return ValueTask.FromResult<ServableModel?>(null);
        LoadedArtifact artifact;
        try
        {
            artifact = Registry.Load(name, Text(number), new ArtifactLoadOptions { EncryptionKey = _key });
        }
        catch (KeyNotFoundException)
        {
            return ValueTask.FromResult<ServableModel?>(null);
        }
        try
        {
            return ValueTask.FromResult<ServableModel?>(Servable(name, Text(number), artifact));
        }
        catch
        {
            artifact.Dispose();
            throw;
        }
    }

    private ServableModel Servable(string name, string version, LoadedArtifact artifact)
    {
        var model = artifact.Model;
        model.Network.eval();
        var input = artifact.Metadata.Input;
        var shape = input?.Shape ?? model.InputShape.ToArray();
        var where = $"Model '{name}' version {version} ({artifact.Path})";
        if (artifact.Metadata.Preprocessing is not { } json)
            return new ServableModel(name, version, model, new InputSchema(shape, model.InputKind, input?.Names), batching: DefaultBatching);
        PreprocessingPipeline pipeline;
        try
        {
            pipeline = PreprocessingPipeline.FromJson(json.ToJsonString());
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{where} has a preprocessing pipeline that cannot be read: {e.Message}", e);
        }
        var elements = model.InputShape.Elements;
        if (pipeline.Image is { } image)
        {
            if (shape.Length != 3 || shape[0] != image.Mean.Count)
                throw new InvalidDataException($"{where}: its image normalization has {image.Mean.Count} channels but the model's input is ({string.Join(", ", shape)}); expected (channels, height, width) with the same channel count. Save the artifact with the pipeline fitted on its training images.");
            return new ServableModel(name, version, model, new InputSchema(shape, model.InputKind, null), Normalizer(image, shape), DefaultBatching);
        }
        if (pipeline.FeatureCount != elements)
            throw new InvalidDataException($"{where}: its preprocessing pipeline produces {pipeline.FeatureCount} features but the model takes {elements} values per item. Save the artifact with the pipeline the model was trained on.");
        var columns = pipeline.Columns.Select(c => c.Name).ToArray();
        var schema = new InputSchema(shape, model.InputKind, columns) { RawRecords = true };
        return new ServableModel(name, version, model, schema, batching: DefaultBatching)
        {
            // The data stage's own one-record transform: the same code and fitted values as training (FormatException names the column).
            RecordEncoder = record => Encode(pipeline, record),
        };
    }

    private static float[] Encode(PreprocessingPipeline pipeline, JsonElement record)
    {
        using var features = pipeline.Transform(record); // (1, F) float32
        return features.data<float>().ToArray();
    }

    // Image requests arrive in [0, 1] (decoded files and raw pixels are divided by 255 by the API), which is the
    // scale ImageNormalization's mean and std are expressed in: only (x − mean[c]) / std[c] is left, per channel.
    private static Func<float[], float[]> Normalizer(ImageNormalization image, long[] shape)
    {
        var plane = (int)(shape[1] * shape[2]);
        var mean = image.Mean.Select(m => (float)m).ToArray();
        var std = image.Std.Select(s => (float)s).ToArray();
        return raw =>
        {
            var result = new float[raw.Length];
            for (var i = 0; i < raw.Length; i++)
            {
                var c = i / plane;
                result[i] = (raw[i] - mean[c]) / std[c];
            }
            return result;
        };
    }

    private static string Text(int version) => version.ToString(CultureInfo.InvariantCulture);
}
