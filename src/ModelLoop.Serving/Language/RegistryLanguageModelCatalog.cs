using System.Globalization;
using ModelLoop.Artifacts;
using ModelLoop.Language.Packaging;
using ModelLoop.Registry;
using ModelLoop.Serving.Catalog;

namespace ModelLoop.Serving.Language;

/// <summary>
/// Language models from the model registry: every version registered through <see cref="LanguageModelRegistration"/>
/// (tagged <see cref="LanguageModelRegistration.KindTag"/>), by name, version or alias, with the registry's rule for a
/// request without a version (<see cref="ModelRegistry.GetVersionOrDefault"/>: production, else the newest). Each request
/// resolves its alias here again (indexed reads), so a promotion or rollback is served from the next request on — hot
/// reload — while <see cref="LanguageModelHost"/> keeps each concrete version loaded once. Versions load as
/// <see cref="ModelRegistry.Load"/> does: every file, the tokenizer's included, verified against the manifest recorded
/// at registration.
/// </summary>
public sealed class RegistryLanguageModelCatalog(ModelRegistry registry, ArtifactLoadOptions? verification = null) : ILanguageModelCatalog
{
    public ModelRegistry Registry { get; } = registry ?? throw new ArgumentNullException(nameof(registry));

    public IReadOnlyList<ModelInfo> List() =>
        Registry.ListModels().Where(m => m.VersionCount > 0).Select(m =>
        {
            var versions = Registry.ListVersions(m.Name).Where(LanguageModelRegistration.IsLanguageModel).Select(v => Text(v.Version)).ToList();
            var aliases = m.Aliases.Where(a => versions.Contains(Text(a.Value))).ToDictionary(a => a.Key, a => Text(a.Value), StringComparer.Ordinal);
            if (versions.Count > 0)
                aliases["latest"] = versions[^1];
            return new ModelInfo(m.Name, versions, aliases);
        }).Where(m => m.Versions.Count > 0).ToList();

    public ValueTask<string?> ResolveVersion(string name, string? versionOrAlias, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name) || versionOrAlias is { Length: 0 })
            return ValueTask.FromResult<string?>(null);
        try
        {
            var version = Registry.GetVersionOrDefault(name, versionOrAlias);
            return ValueTask.FromResult(LanguageModelRegistration.IsLanguageModel(version) ? Text(version.Version) : null);
        }
        catch (Exception e) when (e is KeyNotFoundException or ArgumentException)
        {
            return ValueTask.FromResult<string?>(null); // unknown model, version or alias: the API answers 404
        }
    }

    /// <exception cref="InvalidDataException">The version does not verify or carries no tokenizer (the server answers 503 for it).</exception>
    public ValueTask<LanguageModelPackage?> Load(string name, string version, CancellationToken cancellationToken)
    {
        if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return ValueTask.FromResult<LanguageModelPackage?>(null);
        try
        {
            if (!LanguageModelRegistration.IsLanguageModel(Registry.GetVersion(name, number)))
                return ValueTask.FromResult<LanguageModelPackage?>(null);
        }
        catch (KeyNotFoundException)
        {
            return ValueTask.FromResult<LanguageModelPackage?>(null);
        }
        return ValueTask.FromResult<LanguageModelPackage?>(LanguageModelRegistration.Load(Registry, name, version, Registry.WithTrustedKeys(verification)));
    }

    private static string Text(int version) => version.ToString(CultureInfo.InvariantCulture);
}
