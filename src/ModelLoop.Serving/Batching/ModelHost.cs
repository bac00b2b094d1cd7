using System.Collections.Concurrent;
using ModelLoop.Serving.Catalog;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ModelLoop.Serving.Batching;

/// <summary>
/// The models being served: resolves (name, version or alias) through the catalog, keeps one
/// <see cref="ModelRunner"/> per concrete version, and on <see cref="Refresh"/> (polled by
/// <see cref="ReloadWatcher"/>) re-resolves every alias seen so far. When an alias moved, requests go to
/// the new version at once and the old runner — if nothing else points at it — drains its queue and
/// disposes its model. A request that met a runner just as it closed resolves again, so none fails.
/// </summary>
internal sealed class ModelHost(IModelCatalog catalog, ILogger<ModelHost> logger, IOptions<ServingOptions>? options = null) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Name, string Key), string> _resolved = new();
    private readonly ConcurrentDictionary<(string Name, string Version), Lazy<Task<ModelRunner?>>> _runners = new();
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private long? _stamp; // the catalog's change stamp at the last Refresh (null: unknown, re-resolve every time)
    private int _added;   // 1 when a (name, alias) was resolved since the last Refresh

    public IModelCatalog Catalog => catalog;

    /// <summary>Versions whose load failed lately; a request for one gets the same 503 without a new load.</summary>
    internal FailedLoads FailedLoads { get; init; } = new();

    /// <summary>Versions loaded now.</summary>
    public IReadOnlyList<ServableModel> Loaded =>
        _runners.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully && l.Value.Result is not null)
            .Select(l => l.Value.Result!.Model).ToList();

    /// <summary>The runner serving (name, version or alias) now, loading it on first use; null when unknown.</summary>
    public async ValueTask<ModelRunner?> GetRunner(string name, string? versionOrAlias, CancellationToken cancellationToken)
    {
        var key = (name, versionOrAlias ?? "");
        if (!_resolved.TryGetValue(key, out var version))
        {
            version = await catalog.ResolveVersion(name, versionOrAlias, cancellationToken);
            if (version is null)
                return null;
            _resolved[key] = version;
            Volatile.Write(ref _added, 1);
        }
        if (await FailedLoads.Find(name, version, catalog, cancellationToken) is { } failed)
            throw failed;
        var lazy = _runners.GetOrAdd((name, version), k => new Lazy<Task<ModelRunner?>>(() => LoadRunner(k.Name, k.Version)));
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
        return runner;
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
            KeyValuePair<(string Name, string Key), string>[] keys = unchanged ? [] : _resolved.ToArray();
            foreach (var (key, old) in keys)
            {
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
                    _resolved.TryRemove(key, out _);
                else if (now != old)
                {
                    logger.LogInformation("{Model}:{Alias} moved from version {Old} to {New}.", key.Name, key.Key.Length == 0 ? "(default)" : key.Key, old, now);
                    _resolved[key] = now;
                }
            }
            var wanted = _resolved.Select(p => (p.Key.Name, p.Value)).ToHashSet();
            foreach (var (key, lazy) in _runners.ToArray())
            {
                if (wanted.Contains(key) || !lazy.IsValueCreated || !lazy.Value.IsCompleted)
                    continue;
                if (_runners.TryRemove(new KeyValuePair<(string, string), Lazy<Task<ModelRunner?>>>(key, lazy)) && lazy.Value.Result is { } runner)
                {
                    logger.LogInformation("Retiring {Model} version {Version}: draining {Depth} queued requests.", key.Name, key.Version, runner.QueueDepth);
                    _ = runner.Retire();
                }
            }
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        var runners = _runners.Values.Where(l => l.IsValueCreated).Select(l => l.Value).ToList();
        _runners.Clear();
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
