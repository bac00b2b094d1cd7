using ModelLoop.Language.Packaging;
using ModelLoop.Serving.Catalog;

namespace ModelLoop.Serving.Language;

/// <summary>
/// Several language-model catalogs as one (a folder of packages and the registry): a name belongs to the first
/// catalog that knows it, which answers for all its versions and aliases, so one name never mixes two sources.
/// </summary>
public sealed class CombinedLanguageModelCatalog(IReadOnlyList<ILanguageModelCatalog> catalogs) : ILanguageModelCatalog
{
    public IReadOnlyList<ILanguageModelCatalog> Catalogs { get; } = catalogs ?? throw new ArgumentNullException(nameof(catalogs));

    public IReadOnlyList<ModelInfo> List()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return [.. Catalogs.SelectMany(c => c.List()).Where(m => seen.Add(m.Name))];
    }

    public async ValueTask<string?> ResolveVersion(string name, string? versionOrAlias, CancellationToken cancellationToken) =>
        await Owner(name, cancellationToken) is { } owner ? await owner.ResolveVersion(name, versionOrAlias, cancellationToken) : null;

    public async ValueTask<LanguageModelPackage?> Load(string name, string version, CancellationToken cancellationToken) =>
        await Owner(name, cancellationToken) is { } owner ? await owner.Load(name, version, cancellationToken) : null;

    // The first catalog with any version of the name (its default resolves).
    private async ValueTask<ILanguageModelCatalog?> Owner(string name, CancellationToken cancellationToken)
    {
        foreach (var catalog in Catalogs)
        {
            if (await catalog.ResolveVersion(name, null, cancellationToken) is not null)
                return catalog;
        }
        return null;
    }
}
