using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelLoop.Language.Generation.Scheduling;
using ModelLoop.Serving.Batching;

namespace ModelLoop.Serving.Language;

/// <summary>
/// Loads language-model versions on first use, one <see cref="GenerationScheduler"/> each (continuous batching per
/// version), and keeps at most <see cref="LanguageServingOptions.MaxLoadedVersions"/> of them: past the bound the least
/// recently used idle version is unloaded (a busy one stays until its sequences are done). Every request resolves its
/// version or alias through the catalog again, so a new version is served at once.
/// </summary>
internal sealed class LanguageModelHost(IOptions<LanguageServingOptions> options, ILogger<LanguageModelHost> logger, ILanguageModelCatalog? catalog = null) : IDisposable
{
    private readonly ConcurrentDictionary<(string Name, string Version), Lazy<Task<LoadedLanguageModel?>>> _loaded = new();
    private readonly LanguageServingOptions _options = options.Value;

    /// <summary>The catalog, or null when the server serves no language model.</summary>
    public ILanguageModelCatalog? Catalog => catalog;

    public LanguageServingOptions Options => _options;

    /// <summary>Versions loaded now.</summary>
    public int LoadedCount => _loaded.Count;

    /// <summary>The version (name, version or alias) names now, loaded; null when unknown.</summary>
    /// <exception cref="ModelUnavailableException">It exists but could not be loaded (503).</exception>
    public async ValueTask<LoadedLanguageModel?> Get(string name, string? versionOrAlias, CancellationToken cancellationToken)
    {
        if (catalog is null)
            return null;
        var version = await catalog.ResolveVersion(name, versionOrAlias, cancellationToken);
        if (version is null)
            return null;
        var lazy = _loaded.GetOrAdd((name, version), k => new Lazy<Task<LoadedLanguageModel?>>(() => Load(k.Name, k.Version)));
        LoadedLanguageModel? model;
        try
        {
            model = await lazy.Value;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or UnauthorizedAccessException or ArgumentException or Modeling.ModelBuildException)
        {
            _loaded.TryRemove(new KeyValuePair<(string, string), Lazy<Task<LoadedLanguageModel?>>>((name, version), lazy)); // a fixed package loads next time
            throw new ModelUnavailableException($"Language model '{name}' version '{version}' could not be loaded: {e.Message}", e);
        }
        if (model is null)
        {
            _loaded.TryRemove(new KeyValuePair<(string, string), Lazy<Task<LoadedLanguageModel?>>>((name, version), lazy));
            return null;
        }
        Interlocked.Exchange(ref model.LastUsed, DateTime.UtcNow.Ticks);
        UnloadIdle(keep: model);
        return model;
    }

    private async Task<LoadedLanguageModel?> Load(string name, string version)
    {
        var package = await catalog!.Load(name, version, CancellationToken.None);
        if (package is null)
            return null;
        try
        {
            var scheduler = new GenerationScheduler(package.Model, package.Tokenizer,
                new GenerationSchedulerOptions { MaxSequences = _options.MaxSequences, MaxWaiting = _options.MaxWaiting });
            logger.LogInformation("Serving language model {Model} version {Version} (block size {BlockSize}, {Slots} sequences per step)", name, version, scheduler.BlockSize, _options.MaxSequences);
            return new LoadedLanguageModel(name, version, package, scheduler);
        }
        catch
        {
            package.Dispose();
            throw;
        }
    }

    // Past the bound, unloads idle versions, least recently used first (never `keep`, the one just asked for).
    private void UnloadIdle(LoadedLanguageModel keep)
    {
        if (_loaded.Count <= _options.MaxLoadedVersions)
            return;
        var idle = _loaded
            .Where(e => e.Value.IsValueCreated && e.Value.Value.IsCompletedSuccessfully && e.Value.Value.Result is { } m && m != keep && m.IsIdle)
            .Select(e => (e.Key, Lazy: e.Value, Model: e.Value.Value.Result!))
            .OrderBy(e => Interlocked.Read(ref e.Model.LastUsed))
            .Take(_loaded.Count - _options.MaxLoadedVersions)
            .ToList();
        foreach (var (key, lazy, model) in idle)
        {
            if (_loaded.TryRemove(new KeyValuePair<(string, string), Lazy<Task<LoadedLanguageModel?>>>(key, lazy)))
            {
                logger.LogInformation("Unloaded idle language model {Model} version {Version}", model.Name, model.Version);
                model.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var lazy in _loaded.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
                lazy.Value.Result?.Dispose();
        }
        _loaded.Clear();
    }
}
