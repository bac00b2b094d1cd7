using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using ModelLoop.Serving.Batching;
using ModelLoop.Serving.Metering;
using ModelLoop.Serving.Tenants;

namespace ModelLoop.Serving.Api;

/// <summary>
/// Decides, per model, whether a predict request may take memory and compute, before it does: a request meeting a full
/// queue or a model at its in-flight memory bound (<see cref="ServingOptions.MaxInFlightBytesPerModel"/>) is shed before
/// its body is read; a body whose items would decode past <see cref="ServingOptions.MaxDecodedBytesPerRequest"/> is
/// refused before decoding; and a tenant's item rate limit and daily item quota are taken once the items are counted.
/// Each request holds one <see cref="RequestAdmission"/> that gives everything back when the request ends.
/// </summary>
internal sealed class AdmissionGate : IDisposable
{
    // Bytes reserved per model by requests in flight. Keyed only by models that exist (a loaded runner or a parsed
    // model), so random names in URLs cannot grow it.
    private readonly ConcurrentDictionary<string, StrongBox> _inFlight = new(StringComparer.Ordinal);
    private readonly PartitionedRateLimiter<Tenant> _itemRate;
    private readonly TimeProvider _clock;

    public AdmissionGate(ModelHost host, UsageMeter meter, IOptions<ServingOptions> options, TimeProvider? clock = null)
    {
        Host = host;
        Meter = meter;
        Options = options.Value;
        _clock = clock ?? TimeProvider.System;
        // ASP.NET Core's fixed-window limiter, one partition per tenant and limit (a changed limit starts a fresh window).
        _itemRate = PartitionedRateLimiter.Create<Tenant, string>(tenant => RateLimitPartition.GetFixedWindowLimiter(
            $"{tenant.Id}:{tenant.ItemsPerMinute}", _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = (int)Math.Min(int.MaxValue, tenant.ItemsPerMinute ?? int.MaxValue),
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            }));
    }

    internal ModelHost Host { get; }
    internal UsageMeter Meter { get; }
    internal ServingOptions Options { get; }

    /// <summary>Bytes reserved now by requests in flight for <paramref name="model"/>.</summary>
    public long InFlightBytes(string model) => _inFlight.TryGetValue(model, out var box) ? Interlocked.Read(ref box.Value) : 0;

    /// <summary>
    /// Admits a request to <paramref name="model"/> before its body is read, or sheds it: 429 when the version it names is
    /// loaded and its queue is full, 503 when the model's in-flight bytes would pass their bound. Check
    /// <see cref="RequestAdmission.Refusal"/>; dispose the admission when the request ends.
    /// </summary>
    public RequestAdmission Begin(HttpContext context, string model, string? version, Tenant tenant)
    {
        var admission = new RequestAdmission(this, context, tenant);
        if (Host.PeekRunner(model, version) is not { } runner)
            return admission; // not loaded yet: the first requests are checked once parsed (Admit)
        if (runner.QueueDepth >= runner.Model.Batching.QueueCapacity)
            return admission.Refuse(new AdmissionRefusedException(StatusCodes.Status429TooManyRequests, "Too many requests.",
                $"Model '{model}' has {runner.QueueDepth} requests waiting, its queue's bound; the request was not read. Retry after the Retry-After delay, with backoff.",
                TimeSpan.FromSeconds(1)));
        // The body is held twice while it is parsed: the bytes read and the JSON document's copy.
        var body = 2 * Math.Min(context.Request.ContentLength ?? Options.MaxRequestBytes, Options.MaxRequestBytes);
        if (!admission.TryReserveBytes(runner.Model.Name, body))
            return admission.Refuse(Overloaded(model));
        return admission;
    }

    internal AdmissionRefusedException Overloaded(string model) =>
        new(StatusCodes.Status503ServiceUnavailable, "The model is overloaded.",
            $"Model '{model}' holds {Size(Options.MaxInFlightBytesPerModel)} of requests in flight, its bound (Serving:MaxInFlightBytesPerModel); the request was not read. Retry after the Retry-After delay, with backoff.",
            TimeSpan.FromSeconds(1));

    /// <summary>A byte count as people read it: "512 MiB", or "1000 bytes" below 1 MiB.</summary>
    internal static string Size(long bytes) =>
        bytes >= 1 << 20
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1 << 20):0.#} MiB")
            : string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");

    internal bool TryReserveBytes(string model, long bytes)
    {
        var box = _inFlight.GetOrAdd(model, _ => new StrongBox());
        if (Interlocked.Add(ref box.Value, bytes) <= Options.MaxInFlightBytesPerModel)
            return true;
        Interlocked.Add(ref box.Value, -bytes);
        return false;
    }

    internal void ReleaseBytes(string model, long bytes)
    {
        if (_inFlight.TryGetValue(model, out var box))
            Interlocked.Add(ref box.Value, -bytes);
    }

    /// <summary>Takes <paramref name="items"/> of the tenant's item rate limit; the refusal when they do not fit.</summary>
    internal AdmissionRefusedException? TakeItemRate(Tenant tenant, int items)
    {
        if (tenant.ItemsPerMinute is not { } limit)
            return null;
        if (items > limit)
            return new AdmissionRefusedException(StatusCodes.Status413PayloadTooLarge, "The request is too large.",
                $"This request has {items} items; this key may predict at most {limit} items per minute. Send at most {limit} items per request, or ask the administrator for a higher itemsPerMinute.", null);
        using var lease = _itemRate.AttemptAcquire(tenant, items);
        if (lease.IsAcquired)
            return null;
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
        return new AdmissionRefusedException(StatusCodes.Status429TooManyRequests, "Too many requests.",
            $"The rate limit of {limit} items per minute for this key was reached ({items} more asked). Retry after the Retry-After delay, or ask the administrator for a higher itemsPerMinute.", retryAfter);
    }

    /// <summary>The refusal when the tenant's daily item quota cannot hold <paramref name="items"/> more (else they are reserved).</summary>
    internal AdmissionRefusedException? TakeItemQuota(Tenant tenant, int items)
    {
        if (tenant.DailyItemQuota is not { } quota || Meter.TryReserve(tenant.Id, UsageUnit.Items, items, quota))
            return null;
        var now = _clock.GetUtcNow().UtcDateTime;
        var used = Meter.UsedToday(tenant.Id, UsageUnit.Items);
        return new AdmissionRefusedException(StatusCodes.Status429TooManyRequests, "Too many requests.",
            $"The daily quota of {quota.ToString(CultureInfo.InvariantCulture)} items for this key cannot hold this request's {items} items ({used.ToString(CultureInfo.InvariantCulture)} used today, more in flight); it resets at 00:00 UTC. Retry then with fewer items, or ask the administrator for a larger dailyItemQuota.",
            now.Date.AddDays(1) - now);
    }

    public void Dispose() => _itemRate.Dispose();

    // A long that Interlocked can update in place inside a dictionary value.
    internal sealed class StrongBox
    {
        public long Value;
    }
}
