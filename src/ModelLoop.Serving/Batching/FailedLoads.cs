using System.Collections.Concurrent;
using ModelLoop.Serving.Catalog;

namespace ModelLoop.Serving.Batching;

/// <summary>
/// Versions whose load failed lately, so a broken version is not read and hashed again by every request for it (each
/// load verifies every file's SHA-256: a stream of requests for a broken version would keep the disk and a core busy).
/// A failure is remembered for <see cref="Remember"/>'s time (<see cref="DefaultDuration"/>: 10 seconds) and only while
/// the catalog's change stamp (<see cref="IModelCatalog.GetChangeStamp"/>) is the one seen when it failed: a registry
/// change is tried at once; a fixed run folder (whose catalog has no stamp) is picked up within the 10 seconds.
/// </summary>
internal sealed class FailedLoads(TimeSpan duration, TimeProvider? clock = null)
{
    /// <summary>How long a failed load is remembered by default: 10 seconds.</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(10);

    private sealed record Failure(string Message, Exception Cause, long? Stamp, DateTimeOffset Until);

    private readonly ConcurrentDictionary<(string Name, string Version), Failure> _failures = new();
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public FailedLoads() : this(DefaultDuration)
    {
    }

    /// <summary>The remembered failure of (name, version), as a new exception to throw; null when none is remembered now.</summary>
    public async ValueTask<ModelUnavailableException?> Find(string name, string version, IModelCatalog catalog, CancellationToken cancellationToken)
    {
        if (!_failures.TryGetValue((name, version), out var failure))
            return null;
        if (_clock.GetUtcNow() < failure.Until && (failure.Stamp is null || failure.Stamp == await catalog.GetChangeStamp(cancellationToken)))
            return new ModelUnavailableException(failure.Message, failure.Cause);
        _failures.TryRemove(new KeyValuePair<(string, string), Failure>((name, version), failure));
        return null;
    }

    /// <summary>Remembers that loading (name, version) failed with <paramref name="error"/>, with the catalog's change stamp now.</summary>
    public async ValueTask Remember(string name, string version, IModelCatalog catalog, ModelUnavailableException error)
    {
        long? stamp;
        try
        {
            stamp = await catalog.GetChangeStamp(CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            return; // the stamp cannot be read: remember nothing rather than a failure a change could not clear
        }
        _failures[(name, version)] = new Failure(error.Message, error.InnerException ?? error, stamp, _clock.GetUtcNow() + duration);
    }
}
