using ModelLoop.Language.Packaging;
using ModelLoop.Serving.Catalog;

namespace ModelLoop.Serving.Language;

/// <summary>
/// Where the server gets its language models (a model plus its tokenizer): the seam beside <see cref="IModelCatalog"/>,
/// with the same version and alias rules. The server resolves a request's model on every call (so a moved alias or a new
/// version is served at once: hot reload) and loads each concrete version once. A catalog serving adapters unmerged on a
/// shared base would return the base here and the adapter per version. Implementations must be thread-safe.
/// </summary>
public interface ILanguageModelCatalog
{
    /// <summary>The language models offered, with their versions and aliases.</summary>
    IReadOnlyList<ModelInfo> List();

    /// <summary>The concrete version <paramref name="versionOrAlias"/> names now (null: the default), or null when unknown. Must be cheap.</summary>
    ValueTask<string?> ResolveVersion(string name, string? versionOrAlias, CancellationToken cancellationToken);

    /// <summary>Loads one concrete version (verified); null when it does not exist. The caller owns and disposes it.</summary>
    ValueTask<LanguageModelPackage?> Load(string name, string version, CancellationToken cancellationToken);
}
