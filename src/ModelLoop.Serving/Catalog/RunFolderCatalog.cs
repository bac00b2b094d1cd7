using ModelLoop.Registry;
using System.Globalization;
using System.Text.Json;
using ModelLoop.Artifacts;
using ModelLoop.IO;

namespace ModelLoop.Serving.Catalog;

/// <summary>
/// Models from a folder of training runs: a run folder is what <c>modelloop train --out</c> writes, whose
/// <c>artifact/</c> (manifest.json, model.json, weights.safetensors) is the model package, or an artifact folder
/// itself. Layout, simplest first:
/// <code>
/// root/iris/artifact/manifest.json, …          a single run: model "iris", version "1"
/// root/cnn/1/artifact/…                        versions as sub-folders (numeric ones sort numerically)
/// root/cnn/2/manifest.json, …                  (an artifact folder serves as a run folder too)
/// root/cnn/aliases.json                        optional { "production": "1", "staging": "2" }
/// </code>
/// Packages are loaded like the registry's (<see cref="ModelArtifact.Load"/>: every checksum verified) and served
/// through <see cref="ServableModel.FromArtifact"/>, so a fitted pipeline is applied to raw records server-side.
/// "latest" always names the newest version; no version means "production" when set, else the newest.
/// Moving an alias is rewriting aliases.json (<see cref="SetAlias"/> does it atomically); the server notices
/// on its next poll and switches without failing requests in flight.
/// </summary>
public sealed class RunFolderCatalog : IModelCatalog
{
    public const string AliasesFile = "aliases.json";
    /// <summary>The model package's folder inside a run folder, as `modelloop train --out` writes it.</summary>
    public const string ArtifactFolder = "artifact";
    private const string SingleRunVersion = "1";
    private readonly ArtifactEncryptionKey? _key;

    /// <param name="root">The folder of run folders.</param>
    /// <param name="defaultBatching">Batching of every model. Defaults to <see cref="BatchingOptions"/>' defaults.</param>
    /// <param name="encryptionKey">Key for encrypted artifacts. Defaults to null: the key in MODELLOOP_ARTIFACT_KEY, if set.</param>
    public RunFolderCatalog(string root, BatchingOptions? defaultBatching = null, ArtifactEncryptionKey? encryptionKey = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"The models folder '{root}' does not exist. Pass a folder whose sub-folders are run folders written by `modelloop train --out` (each with an {ArtifactFolder}/ holding {ModelArtifact.ManifestFile}).");
        Root = Path.GetFullPath(root);
        DefaultBatching = (defaultBatching ?? new BatchingOptions()).Validate();
        _key = encryptionKey;
    }

    public string Root { get; }
    public BatchingOptions DefaultBatching { get; }

    /// <summary>What runs the versions it loads. Defaults to <see cref="ServingBackend.Auto"/>: each package's own runtime.</summary>
    public ServingBackend Backend { get; init; }

    /// <summary>ONNX Runtime intra-op threads per version served through it; null lets ONNX Runtime choose. Defaults to 1, as libtorch's (ServingOptions.TorchThreads).</summary>
    public int? OnnxThreads { get; init; } = 1;

    /// <summary>
    /// What every load insists on, and the keys whose signatures it accepts (<see cref="ArtifactLoadOptions.TrustedKeys"/>,
    /// e.g. <see cref="ModelRegistry.ReadTrustedKeys"/>). Defaults to none required and no trusted keys.
    /// </summary>
    public ArtifactLoadOptions Verification { get; init; } = new();

    public IReadOnlyList<ModelInfo> List() =>
        Directory.EnumerateDirectories(Root)
            .Select(dir => Path.GetFileName(dir))
            .Order(StringComparer.Ordinal)
            .Select(name => (Name: name, Versions: Versions(name)))
            .Where(m => m.Versions.Count > 0)
            .Select(m => new ModelInfo(m.Name, m.Versions, Aliases(m.Name, m.Versions)))
            .ToList();

    public ValueTask<string?> ResolveVersion(string name, string? versionOrAlias, CancellationToken cancellationToken)
    {
        if (!IsSafeName(name) || (versionOrAlias is not null && !IsSafeName(versionOrAlias)))
            return ValueTask.FromResult<string?>(null);
        var versions = Versions(name);
        if (versions.Count == 0)
            return ValueTask.FromResult<string?>(null);
        var aliases = Aliases(name, versions);
        var key = versionOrAlias ?? (aliases.ContainsKey(ModelRegistry.DefaultAlias) ? ModelRegistry.DefaultAlias : "latest"); // the registry's rule for no version
        if (aliases.TryGetValue(key, out var target))
            return ValueTask.FromResult<string?>(versions.Contains(target) ? target : null);
        return ValueTask.FromResult(versions.Contains(key) ? key : null);
    }

    /// <summary>
    /// Loads and verifies a run: its checksums.json (<see cref="Loop.RunFolderChecksums"/>) when it has one, then its
    /// artifact. Throws <see cref="InvalidDataException"/> (the server answers 503 for this
    /// model and keeps serving the others) when a file does not verify, a required signature or encryption is missing, the artifact is encrypted and the key is
    /// missing or wrong, or its preprocessing does not fit the model.
    /// </summary>
    public ValueTask<ServableModel?> Load(string name, string version, CancellationToken cancellationToken)
    {
        if (!IsSafeName(name) || !IsSafeName(version) || !Versions(name).Contains(version))
            return ValueTask.FromResult<ServableModel?>(null);
        var run = RunFolder(name, version);
        Loop.RunFolderChecksums.Verify(run); // the run's checksums.json, when training wrote one
        var options = Verification with { EncryptionKey = _key ?? Verification.EncryptionKey };
        return ValueTask.FromResult<ServableModel?>(ServableModel.Load(name, version, ArtifactPath(run), options, DefaultBatching, Backend, OnnxThreads));
    }

    /// <summary>Points <paramref name="alias"/> of a model at <paramref name="version"/> (atomic rewrite of aliases.json).</summary>
    public void SetAlias(string name, string alias, string version)
    {
        var versions = Versions(name);
        if (!versions.Contains(version))
            throw new ArgumentException($"Model '{name}' has no version '{version}'; it has: {string.Join(", ", versions)}.");
        if (IsRun(Path.Combine(Root, name)))
            throw new InvalidOperationException($"Model '{name}' is a single run folder (one version); move it into a sub-folder '{name}/1' to give it aliases.");
        var aliases = ReadAliasFile(name);
        aliases[alias] = version;
        AtomicFile.WriteAllText(Path.Combine(Root, name, AliasesFile), JsonSerializer.Serialize(aliases));
    }

    private IReadOnlyList<string> Versions(string name)
    {
        var dir = Path.Combine(Root, name);
        if (!IsSafeName(name) || !Directory.Exists(dir))
            return [];
        if (IsRun(dir))
            return [SingleRunVersion];
        var versions = Directory.EnumerateDirectories(dir).Where(IsRun).Select(d => Path.GetFileName(d)).ToList();
        return versions.All(v => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            ? versions.OrderBy(v => long.Parse(v, CultureInfo.InvariantCulture)).ToList()
            : versions.Order(StringComparer.Ordinal).ToList();
    }

    private Dictionary<string, string> Aliases(string name, IReadOnlyList<string> versions)
    {
        var aliases = ReadAliasFile(name);
        aliases["latest"] = versions[^1];
        return aliases;
    }

    private Dictionary<string, string> ReadAliasFile(string name)
    {
        var path = Path.Combine(Root, name, AliasesFile);
        if (!File.Exists(path))
            return new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) ?? new(StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid: {e.Message} Expected an object of alias → version, e.g. {{ \"production\": \"2\" }}.", e);
        }
    }

    private string RunFolder(string name, string version)
    {
        var dir = Path.Combine(Root, name);
        return IsRun(dir) ? dir : Path.Combine(dir, version);
    }

    private static bool IsRun(string dir) =>
        File.Exists(Path.Combine(dir, ArtifactFolder, ModelArtifact.ManifestFile)) || File.Exists(Path.Combine(dir, ModelArtifact.ManifestFile));

    // A run folder's artifact/, or the folder itself when it is an artifact folder.
    private static string ArtifactPath(string run) =>
        File.Exists(Path.Combine(run, ArtifactFolder, ModelArtifact.ManifestFile)) ? Path.Combine(run, ArtifactFolder) : run;

    // Names come from URLs: only plain folder names, never paths ("..", separators).
    private static bool IsSafeName(string name) =>
        name.Length is > 0 and <= 128 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && name is not "." and not "..";
}
