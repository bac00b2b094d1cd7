using System.Collections.Concurrent;
using ModelLoop.Serving.Catalog;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ModelLoop.Serving.Batching;

/// <summary>
/// The models being served: resolves (name, version or alias) through the catalog, keeps one
/// <see cref="ModelRunner"/> per concrete version, and on <see cref="Refresh"/> (polled by
/// <see cref="ReloadWatcher"/>) re-resolves every alias seen so far. When an alias moved, requests go to
/// the new version at once and the old runner — if nothing else points at it — drains its queue and
/// disposes its model. A request that met a runner just as it closed resolves again, so none fails.
/// Both caches are bounded: spellings are normalized (<see cref="VersionReference"/>), the resolved spellings are an LRU
/// cache of <see cref="ServingOptions.MaxResolvedVersions"/> entries, and a version no alias or default points to is
/// unloaded after <see cref="ServingOptions.IdleUnloadAfter"/> without requests, or sooner, least recently used first,
/// when more than <see cref="ServingOptions.MaxLoadedVersions"/> are loaded.
/// </summary>
internal sealed class ModelHost : IAsyncDisposable
{
    private readonly IModelCatalog catalog;
    private readonly ILogger<ModelHost> logger;
    private readonly IOptions<ServingOptions>? options;
    private readonly TimeProvider _clock;
    // (name, canonical version or alias; "" for the default) → concrete version. MemoryCache's size limit makes it an LRU:
    // past the limit, the least recently used entries are compacted away.
    private readonly MemoryCache _resolved;
    private readonly ConcurrentDictionary<(string Name, string Version), Lazy<Task<ModelRunner?>>> _runners = new();
    private readonly ConcurrentDictionary<(string Name, string Version), long> _lastUsed = new(); // UTC ticks of the last request
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private long? _stamp; // the catalog's change stamp at the last Refresh (null: unknown, re-resolve every time)
    private int _added;   // 1 when a (name, alias) was resolved since the last Refresh

    /// <param name="catalog">Where versions are resolved and loaded from.</param>
    /// <param name="logger">Load, move and unload messages.</param>
    /// <param name="options">Threads and the cache bounds. Defaults to <see cref="ServingOptions"/>' defaults.</param>
    /// <param name="clock">The clock of idle unloading. Defaults to the system clock.</param>
    public ModelHost(IModelCatalog catalog, ILogger<ModelHost> logger, IOptions<ServingOptions>? options = null, TimeProvider? clock = null)
    {
        this.catalog = catalog;
        this.logger = logger;
        this.options = options;
        _clock = clock ?? TimeProvider.System;
        _resolved = new MemoryCache(new MemoryCacheOptions { SizeLimit = Settings.MaxResolvedVersions });
    }

    private ServingOptions Settings => options?.Value ?? DefaultSettings;
    private static readonly ServingOptions DefaultSettings = new();

    public IModelCatalog Catalog => catalog;

    /// <summary>Versions whose load failed lately; a request for one gets the same 503 without a new load.</summary>
    internal FailedLoads FailedLoads { get; init; } = new();

    /// <summary>Versions loaded now.</summary>
    public IReadOnlyList<ServableModel> Loaded =>
        _runners.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully && l.Value.Result is not null)
            .Select(l => l.Value.Result!.Model).ToList();

    /// <summary>Spellings resolved and cached now (at most <see cref="ServingOptions.MaxResolvedVersions"/>).</summary>
    public int ResolvedCount => _resolved.Count;

    /// <summary>The runner serving (name, version or alias) now, loading it on first use; null when unknown.</summary>
    /// <exception cref="Api.BadInputException">The version is not a version number, "latest" or an alias name.</exception>
    public async ValueTask<ModelRunner?> GetRunner(string name, string? versionOrAlias, CancellationToken cancellationToken)
    {
        var key = (name, VersionReference.Normalize(versionOrAlias) ?? "");
        if (!_resolved.TryGetValue(key, out string? version) || version is null)
        {
            version = await catalog.ResolveVersion(name, key.Item2.Length == 0 ? null : key.Item2, cancellationToken);
            if (version is null)
                return null;
            _resolved.Set(key, version, new MemoryCacheEntryOptions { Size = 1 });
            Volatile.Write(ref _added, 1);
        }
        if (await FailedLoads.Find(name, version, catalog, cancellationToken) is { } failed)
            throw failed;
        // Written at most once a second per version: idle times are minutes, and a write per request contends.
        var now = _clock.GetUtcNow().UtcTicks;
        if (!_lastUsed.TryGetValue((name, version), out var used) || now - used >= TimeSpan.TicksPerSecond)
            _lastUsed[(name, version)] = now;
        var lazy = _runners.GetOrAdd((name, version), k => new Lazy<Task<ModelRunner?>>(() => LoadRunner(k.Name, k.Version)));
        var loading = !lazy.IsValueCreated;
        ModelRunner? runner;
        try
        {
            runner = await lazy.Value;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or UnauthorizedAccessException or ArgumentException or Modeling.ModelBuildException or System.Data.Common.DbException)
        {
            // Drop the failed runner so a fixed run folder is loaded again, once FailedLoads stops remembering the failure.
            _runners.TryRemove(new KeyValuePair<(string, string), Lazy<Task<ModelRunner?>>>((name, version), lazy));
            var error = new ModelUnavailableException($"Model '{name}' version '{version}' could not be loaded: {e.Message}", e);
            await FailedLoads.Remember(name, version, catalog, error);
            throw error;
        }
        if (runner is null)
            _runners.TryRemove(new KeyValuePair<(string, string), Lazy<Task<ModelRunner?>>>((name, version), lazy));
        else if (loading)
            UnloadIdle(keep: (name, version)); // a new version counts against the bound at once, not at the next poll
        return runner;
    }

    /// <summary>
    /// The runner (name, version or alias) resolves to when it is already resolved and loaded; null otherwise (nothing
    /// is resolved or loaded here). The admission check asks it before reading a body.
    /// </summary>
    public ModelRunner? PeekRunner(string name, string? versionOrAlias)
    {
        string? canonical;
        try
        {
            canonical = VersionReference.Normalize(versionOrAlias);
        }
        catch (Api.BadInputException)
        {
            return null;
        }
        return _resolved.TryGetValue((name, canonical ?? ""), out string? version) && version is not null
            && _runners.TryGetValue((name, version), out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully
            ? lazy.Value.Result
            : null;
    }

    /// <summary>
    /// Queues a request, resolving again when it met a runner that was just retired (hot reload).
    /// <paramref name="parse"/> reads the body against the resolved version's schema (and may throw for bad
    /// input); <paramref name="embeddings"/> says whether the request needs its items' embeddings from that version
    /// (defaults to none). Null runner: unknown model/version. Returns the runner it used with the enqueue result and
    /// the parsed input.
    /// </summary>
    public async ValueTask<(ModelRunner? Runner, EnqueueResult Result, Task<PredictOutcome>? Outcome, Api.ParsedInput? Input)> Enqueue(
        string name, string? versionOrAlias, Func<ServableModel, Api.ParsedInput> parse, CancellationToken cancellationToken,
        Func<ServableModel, bool>? embeddings = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            var runner = await GetRunner(name, versionOrAlias, cancellationToken);
            if (runner is null)
                return (null, EnqueueResult.Closed, null, null);
            var input = parse(runner.Model);
            var result = runner.TryEnqueue(input.Values, input.Count, out var outcome, embeddings?.Invoke(runner.Model) ?? false, cancellationToken);
            if (result != EnqueueResult.Closed || attempt >= 5)
                return (runner, result, result == EnqueueResult.Accepted ? outcome : null, input);
            // The runner closed under us: make sure we do not resolve to it again, then retry.
            await Refresh(cancellationToken);
        }
    }

    /// <summary>
    /// Re-resolves every (name, alias) seen — skipped when the catalog's change stamp has not moved since the
    /// last call — then retires runners that no alias or version points to any more.
    /// </summary>
    public async Task Refresh(CancellationToken cancellationToken)
    {
        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            // Both read before re-resolving, so a change (or a key first resolved) while we resolve is seen by
            // the next poll: a request may have resolved an alias just before it moved and stored it after.
            var added = Interlocked.Exchange(ref _added, 0) != 0;
            var stamp = await catalog.GetChangeStamp(cancellationToken);
            var unchanged = stamp is not null && stamp == _stamp && !added;
            _stamp = stamp;
            foreach (var key in unchanged ? [] : ResolvedKeys())
            {
                if (!_resolved.TryGetValue(key, out string? old) || old is null)
                    continue;
                string? now;
                try
                {
                    now = await catalog.ResolveVersion(key.Name, key.Key.Length == 0 ? null : key.Key, cancellationToken);
                }
                catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or System.Data.Common.DbException)
                {
                    logger.LogWarning(e, "Could not re-resolve {Model}:{Alias}; keeping version {Version}.", key.Name, key.Key, old);
                    continue;
                }
                if (now is null)
                    _resolved.Remove(key);
                else if (now != old)
                {
                    logger.LogInformation("{Model}:{Alias} moved from version {Old} to {New}.", key.Name, key.Key.Length == 0 ? "(default)" : key.Key, old, now);
                    _resolved.Set(key, now, new MemoryCacheEntryOptions { Size = 1 });
                }
            }
            var wanted = Targets(aliasesOnly: false);
            foreach (var (key, lazy) in _runners.ToArray())
            {
                if (!wanted.Contains(key) && lazy.IsValueCreated && lazy.Value.IsCompleted)
                    Retire(key, lazy, "no alias or version points to it any more");
            }
            UnloadIdle(keep: null);
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    // The cached (name, spelling) keys. MemoryCache.Keys is a snapshot-safe enumeration (.NET 9+).
    private List<(string Name, string Key)> ResolvedKeys() => _resolved.Keys.OfType<(string, string)>().ToList();

    // The versions the cached spellings point to; with aliasesOnly, those of aliases and defaults only (the ones kept loaded).
    private HashSet<(string Name, string Version)> Targets(bool aliasesOnly)
    {
        var targets = new HashSet<(string, string)>();
        foreach (var key in ResolvedKeys())
        {
            if (aliasesOnly && VersionReference.IsNumber(key.Key))
                continue;
            if (_resolved.TryGetValue(key, out string? version) && version is not null)
                targets.Add((key.Name, version));
        }
        return targets;
    }

    // Unloads versions no alias or default points to that were idle past IdleUnloadAfter, then — least recently used
    // first — more of them while more than MaxLoadedVersions are loaded. Retiring drains their queues first.
    private void UnloadIdle((string, string)? keep)
    {
        var pinned = Targets(aliasesOnly: true);
        var loaded = _runners.Where(p => p.Value.IsValueCreated && p.Value.Value.IsCompletedSuccessfully && p.Value.Value.Result is not null).ToList();
        var now = _clock.GetUtcNow().UtcTicks;
        var candidates = loaded.Where(p => !pinned.Contains(p.Key) && !p.Key.Equals(keep))
            .OrderBy(p => _lastUsed.GetValueOrDefault(p.Key)).ToList();
        var count = loaded.Count;
        foreach (var (key, lazy) in candidates)
        {
            var idle = TimeSpan.FromTicks(now - _lastUsed.GetValueOrDefault(key));
            if (idle >= Settings.IdleUnloadAfter)
                Retire(key, lazy, $"no request for {idle.TotalSeconds:0} s");
            else if (count > Settings.MaxLoadedVersions)
                Retire(key, lazy, $"more than {Settings.MaxLoadedVersions} versions are loaded and it was the least recently used");
            else
                continue;
            count--;
        }
    }

    private void Retire((string Name, string Version) key, Lazy<Task<ModelRunner?>> lazy, string reason)
    {
        if (!_runners.TryRemove(new KeyValuePair<(string, string), Lazy<Task<ModelRunner?>>>(key, lazy)) || !lazy.Value.IsCompletedSuccessfully || lazy.Value.Result is not { } runner)
            return;
        _lastUsed.TryRemove(key, out _);
        logger.LogInformation("Retiring {Model} version {Version} ({Reason}): draining {Depth} queued requests.", key.Name, key.Version, reason, runner.QueueDepth);
        _ = runner.Retire();
    }

    public async ValueTask DisposeAsync()
    {
        var runners = _runners.Values.Where(l => l.IsValueCreated).Select(l => l.Value).ToList();
        _runners.Clear();
        _resolved.Dispose();
        foreach (var task in runners)
        {
            try
            {
                if (await task is { } runner)
                    await runner.Retire();
            }
            catch (Exception e) when (e is IOException or InvalidDataException or FormatException)
            {
                // The load had failed; nothing to release.
            }
        }
    }

    private async Task<ModelRunner?> LoadRunner(string name, string version)
    {
        // Loading reads files and builds the network: off the request thread's synchronous path.
        var servable = await Task.Run(async () => await catalog.Load(name, version, CancellationToken.None));
        if (servable is null)
            return null;
        logger.LogInformation("Loaded {Model} version {Version} (input {Shape}, batches of up to {Max} items within {Delay} ms).",
            name, version, string.Join("×", servable.Schema.Shape), servable.Batching.MaxBatchSize, servable.Batching.MaxDelay.TotalMilliseconds);
        logger.LogInformation("{Model} version {Version} runs through the {Backend} backend.", name, version, servable.Backend.Name);
        return new ModelRunner(servable, options?.Value.TorchThreads);
    }
}
