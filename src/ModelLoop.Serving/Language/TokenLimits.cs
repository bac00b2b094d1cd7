using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using ModelLoop.Serving.Api;
using ModelLoop.Serving.Metering;
using ModelLoop.Serving.Tenants;

namespace ModelLoop.Serving.Language;

/// <summary>
/// A tenant's token limits (<see cref="Tenant.TokensPerMinute"/>, <see cref="Tenant.DailyTokenQuota"/>, prompt and
/// completion together), taken before a request runs for the most it can use: its prompt plus <c>max_tokens</c> × n.
/// The daily quota's reservation is given back once the request's actual tokens were metered (<see cref="UsageMeter.TryReserveTokens"/>).
/// </summary>
internal sealed class TokenLimits(UsageMeter meter, TimeProvider clock) : IDisposable
{
    // ASP.NET Core's fixed-window limiter, one partition per tenant and limit (a changed limit starts a fresh window).
    private readonly PartitionedRateLimiter<Tenant> _rate = PartitionedRateLimiter.Create<Tenant, string>(tenant => RateLimitPartition.GetFixedWindowLimiter(
        $"{tenant.Id}:{tenant.TokensPerMinute}", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = (int)Math.Min(int.MaxValue, tenant.TokensPerMinute ?? int.MaxValue),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    public UsageMeter Meter => meter;

    /// <summary>Takes <paramref name="tokens"/> of the tenant's per-minute limit; the refusal (413 or 429) when they do not fit.</summary>
    public AdmissionRefusedException? TakeRate(Tenant tenant, long tokens)
    {
        if (tenant.TokensPerMinute is not { } limit)
            return null;
        if (tokens > limit)
            return new AdmissionRefusedException(StatusCodes.Status413PayloadTooLarge, "The request is too large.",
                $"This request may use {tokens} tokens (prompt + max_tokens × n); this key may use at most {limit} tokens per minute. Lower \"max_tokens\" or \"n\", shorten the prompt, or ask the administrator for a higher tokensPerMinute.", null);
        using var lease = _rate.AttemptAcquire(tenant, (int)Math.Min(int.MaxValue, tokens));
        if (lease.IsAcquired)
            return null;
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
        return new AdmissionRefusedException(StatusCodes.Status429TooManyRequests, "Too many requests.",
            $"The rate limit of {limit} tokens per minute for this key was reached ({tokens} more asked: prompt + max_tokens × n). Retry after the Retry-After delay, or ask the administrator for a higher tokensPerMinute.", retryAfter);
    }

    /// <summary>Reserves <paramref name="tokens"/> of today's quota; the refusal (429) when it cannot hold them. Release with <see cref="Release"/>.</summary>
    public AdmissionRefusedException? TakeQuota(Tenant tenant, long tokens)
    {
        if (tenant.DailyTokenQuota is not { } quota || meter.TryReserveTokens(tenant.Id, tokens, quota))
            return null;
        var now = clock.GetUtcNow().UtcDateTime;
        var used = meter.UsedToday(tenant.Id, UsageUnit.PromptTokens) + meter.UsedToday(tenant.Id, UsageUnit.CompletionTokens);
        return new AdmissionRefusedException(StatusCodes.Status429TooManyRequests, "Too many requests.",
            $"The daily quota of {quota.ToString(CultureInfo.InvariantCulture)} tokens for this key cannot hold this request's {tokens} (prompt + max_tokens × n; {used.ToString(CultureInfo.InvariantCulture)} used today, more in flight); it resets at 00:00 UTC. Lower \"max_tokens\", or ask the administrator for a larger dailyTokenQuota.",
            now.Date.AddDays(1) - now);
    }

    public void Release(Tenant tenant, long tokens)
    {
        if (tenant.DailyTokenQuota is not null && tokens > 0)
            meter.ReleaseReservation(tenant.Id, UsageUnit.PromptTokens, tokens);
    }

    public void Dispose() => _rate.Dispose();
}
