using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using ModelLoop.Contracts;

namespace ModelLoop.Serving.Api;

/// <summary>
/// The answers to predict calls sent with an <c>Idempotency-Key</c> header, per tenant and key, for
/// <see cref="ServingOptions.IdempotencyWindow"/>: a call repeated with the same key (a retry after a lost response)
/// gets the stored answer, and is neither run nor metered again. A repeat that arrives while the first is still
/// running waits for it. Only answered calls (200) are kept: after an error the key is free and a retry runs anew.
/// Bounded in memory by <see cref="ServingOptions.IdempotencyMaxEntries"/> and <see cref="ServingOptions.IdempotencyMaxMegabytes"/>
/// (the oldest answers go first); a retry whose answer was evicted, or that comes after a restart, runs and is billed again.
/// Written here rather than taken from a library: ASP.NET Core has output caching but no idempotency keys, and the
/// store must sit after authentication (keys are per tenant) and before metering.
/// </summary>
internal sealed class IdempotencyStore(IOptions<ServingOptions> options, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider time = timeProvider ?? TimeProvider.System;

    /// <summary>The request header: Idempotency-Key (as in the IETF draft and Stripe's API).</summary>
    public const string Header = "Idempotency-Key";
    /// <summary>Set to "true" on an answer replayed from the store.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const int MaxKeyLength = 255;

    private sealed class Entry(string tenantKey, string fingerprint, DateTimeOffset created)
    {
        public string TenantKey { get; } = tenantKey;
        public string Fingerprint { get; } = fingerprint;
        public DateTimeOffset Created { get; } = created;
        public TaskCompletionSource<PredictResponse?> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public long Bytes { get; set; }
        public LinkedListNode<Entry>? Node { get; set; }
    }

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _byAge = new(); // oldest first
    private readonly Lock _lock = new();
    private long _bytes;

    /// <summary>Entries held now (answered or running).</summary>
    public int Count { get { lock (_lock) return _entries.Count; } }

    /// <summary>
    /// Claims the call's key: a claim with no <see cref="IdempotencyClaim.Answer"/> runs the call (and stores its answer
    /// with <see cref="IdempotencyClaim.Keep"/>); one with an Answer is answered with it — the stored answer, or a 400/422
    /// about the key. Without the header the claim is a no-op.
    /// </summary>
    public async Task<IdempotencyClaim> Claim(HttpContext context, string tenantId, CancellationToken cancellationToken)
    {
        if (!context.Request.Headers.TryGetValue(Header, out var values))
            return IdempotencyClaim.None;
        var key = values.ToString();
        if (values.Count != 1 || key.Length is 0 or > MaxKeyLength || !key.All(c => c is >= '!' and <= '~'))
            return IdempotencyClaim.Answered(Problems.BadInput($"The {Header} header must be one value of 1–{MaxKeyLength} printable ASCII characters (e.g. a UUID); received {(values.Count == 1 ? $"{key.Length} characters" : $"{values.Count} values")}. Send a new key per logical call and the same key on its retries."));
        // The route and query name the call; the body is not compared (the SDK makes a fresh key for every call).
        var fingerprint = $"{context.Request.Path}{context.Request.QueryString}";
        var tenantKey = $"{tenantId}\n{key}";
        while (true)
        {
            Entry entry;
            lock (_lock)
            {
                Expire();
                if (!_entries.TryGetValue(tenantKey, out entry!))
                {
                    entry = new Entry(tenantKey, fingerprint, time.GetUtcNow());
                    entry.Node = _byAge.AddLast(entry);
                    _entries[tenantKey] = entry;
                    return new IdempotencyClaim(entry.Answer, response => Store(entry, response), () => Release(entry));
                }
            }
            if (entry.Fingerprint != fingerprint)
                return IdempotencyClaim.Answered(TypedResults.Problem($"This {Header} was first used for {entry.Fingerprint}, not {fingerprint}. A key names one call: send a new key for a new call.",
                    statusCode: StatusCodes.Status422UnprocessableEntity, title: "The idempotency key was reused for another call."));
            // Answered already, or running: wait for it. Null means it ended without an answer; then claim the key anew.
            if (await entry.Answer.Task.WaitAsync(cancellationToken) is { } stored)
            {
                context.Response.Headers[ReplayedHeader] = "true";
                context.Response.Headers[PredictApi.RequestIdHeader] = stored.RequestId;
                return IdempotencyClaim.Answered(TypedResults.Ok(stored));
            }
        }
    }

    private void Store(Entry entry, PredictResponse response)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(entry.TenantKey, out var current) && current == entry)
            {
                entry.Bytes = EstimateBytes(response);
                _bytes += entry.Bytes;
                // Over a bound: the oldest answers go first (a running call is never dropped, its waiters hold it).
                var limitBytes = (long)(options.Value.IdempotencyMaxMegabytes * (1 << 20));
                for (var node = _byAge.First; node is not null && (_entries.Count > options.Value.IdempotencyMaxEntries || _bytes > limitBytes);)
                {
                    var next = node.Next;
                    if (node.Value.Answer.Task.IsCompleted || node.Value == entry)
                        Remove(node.Value);
                    node = next;
                }
            }
        }
        entry.Answer.TrySetResult(response);
    }

    private void Release(Entry entry)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(entry.TenantKey, out var current) && current == entry && !entry.Answer.Task.IsCompleted)
                Remove(entry);
        }
        entry.Answer.TrySetResult(null);
    }

    // Under _lock: drops entries older than the window (the list is in creation order).
    private void Expire()
    {
        var cutoff = time.GetUtcNow() - options.Value.IdempotencyWindow;
        while (_byAge.First is { } oldest && oldest.Value.Created < cutoff)
            Remove(oldest.Value);
    }

    private void Remove(Entry entry)
    {
        _entries.Remove(entry.TenantKey);
        if (entry.Node is { List: not null } node)
            _byAge.Remove(node);
        _bytes -= entry.Bytes;
    }

    // A rough size of the answer held in memory: per item its label, probabilities, values and raw outputs.
    private static long EstimateBytes(PredictResponse response) =>
        256 + response.Predictions.Sum(p => 64L + 2 * (p.Label?.Length ?? 0) + 48L * ((p.Probabilities?.Count ?? 0) + (p.Values?.Count ?? 0)) + 4L * (p.Outputs?.Count ?? 0));
}
