using System.Globalization;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Artifacts;
using ModelLoop.Registry;

namespace ModelLoop.Serving.Catalog;

/// <summary>
/// Models from the model registry (<see cref="ModelRegistry"/>): every registered name, its versions ("1", "2", …)
/// and aliases. A request without a version gets the <see cref="DefaultAlias"/> ("production"); a model that
/// has no such alias yet is served at "latest", its newest version, so a freshly registered model answers
/// before anyone promotes it. Versions are loaded like <see cref="ModelRegistry.Load"/>, so every file is
/// verified against the checksums recorded at registration (and decrypted with the artifact key when encrypted).
/// When the artifact carries the data stage's fitted <see cref="PreprocessingPipeline"/>, the server applies it
/// to every raw record (tabular) or image (per-channel normalization): clients send raw rows.
/// <see cref="GetChangeStamp"/> is the registry's <see cref="ModelRegistry.ChangeCounter"/>: a promotion or
/// rollback moves it, and the server's next poll switches to the new version (hot reload).
/// </summary>
public sealed class RegistryCatalog : IModelCatalog
{
    /// <summary>The alias served when a request names no version: "production".</summary>
    public const string DefaultAlias = ModelRegistry.DefaultAlias;

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

    /// <summary>What runs the versions it loads. Defaults to <see cref="ServingBackend.Auto"/>: each package's own runtime.</summary>
    public ServingBackend Backend { get; init; }

    /// <summary>ONNX Runtime intra-op threads per version served through it; null lets ONNX Runtime choose. Defaults to 1, as libtorch's (ServingOptions.TorchThreads).</summary>
    public int? OnnxThreads { get; init; } = 1;

    /// <summary>
    /// What every load insists on (<see cref="ArtifactLoadOptions.RequireSignature"/>, <see cref="ArtifactLoadOptions.RequireEncryption"/>);
    /// signatures are checked against the registry's trusted keys, read at each load. Defaults to checking signatures
    /// by trusted keys without requiring one.
    /// </summary>
    public ArtifactLoadOptions Verification { get; init; } = new();

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
            return ValueTask.FromResult<string?>(Text(Registry.GetVersionOrDefault(name, versionOrAlias).Version));
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
    /// is missing or wrong, a required signature or encryption is missing (<see cref="Verification"/>), or its preprocessing does not fit the model; <see cref="FormatException"/> when the
    /// key in MODELLOOP_ARTIFACT_KEY or the pipeline JSON is malformed.
    /// </summary>
    public ValueTask<ServableModel?> Load(string name, string version, CancellationToken cancellationToken)
    {
        if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return ValueTask.FromResult<ServableModel?>(null);
        ModelVersion registered;
        try
        {
            registered = Registry.GetVersion(name, number);
        }
        catch (KeyNotFoundException)
        {
            return ValueTask.FromResult<ServableModel?>(null);
        }
        // Verified against the manifest recorded at registration, as ModelRegistry.Load does.
        var options = Registry.WithTrustedKeys(Verification with { EncryptionKey = _key ?? Verification.EncryptionKey, ExpectedManifestSha256 = registered.ManifestSha256 });
        return ValueTask.FromResult<ServableModel?>(ServableModel.Load(name, Text(number), registered.ArtifactPath, options, DefaultBatching, Backend, OnnxThreads));
    }

    private static string Text(int version) => version.ToString(CultureInfo.InvariantCulture);
}
