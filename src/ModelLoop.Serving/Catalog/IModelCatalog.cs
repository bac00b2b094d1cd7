namespace ModelLoop.Serving.Catalog;

/// <summary>
/// Where the server gets its models: the narrow seam between serving and whatever stores models (today
/// <see cref="RunFolderCatalog"/>, a folder of training runs, and <see cref="RegistryCatalog"/>, the model registry). The server calls
/// <see cref="ResolveVersion"/> often (on a timer, to notice an alias that moved: hot reload) and
/// <see cref="Load"/> once per concrete version it serves; it owns and disposes what Load returns.
/// Implementations must be safe to call from several threads.
/// </summary>
public interface IModelCatalog
{
    /// <summary>The models this catalog offers, with their versions and aliases.</summary>
    IReadOnlyList<ModelInfo> List();

    /// <summary>
    /// The concrete version that <paramref name="versionOrAlias"/> names now (an alias such as "production",
    /// "latest", or a version id), or null when the model or the version/alias is unknown. Null
    /// <paramref name="versionOrAlias"/> means the catalog's default (its "production" alias where one is
    /// set, else the newest version). Must be cheap: it is polled.
    /// </summary>
    ValueTask<string?> ResolveVersion(string name, string? versionOrAlias, CancellationToken cancellationToken);

    /// <summary>Loads one concrete version (weights read, network in evaluation mode); null when it does not exist.</summary>
    ValueTask<ServableModel?> Load(string name, string version, CancellationToken cancellationToken);

    /// <summary>
    /// A number that changes whenever anything <see cref="ResolveVersion"/> reads may have changed (e.g. the
    /// registry's change counter), so the server's poll re-resolves aliases only when it moved. Null (the
    /// default) means the catalog cannot tell: every poll re-resolves every alias seen.
    /// </summary>
    ValueTask<long?> GetChangeStamp(CancellationToken cancellationToken) => ValueTask.FromResult<long?>(null);
}
