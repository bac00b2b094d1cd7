using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace ModelLoop.Serving.Tenants;

/// <summary>
/// Identifies the caller of every /v1 route from its API key (<c>Authorization: Bearer KEY</c> or
/// <c>X-Api-Key: KEY</c>) before rate limiting runs, and answers 401 ProblemDetails for a missing, unknown
/// or revoked key. Health, metrics and the OpenAPI document stay open. Failed attempts are limited per client
/// address (<see cref="ServingOptions.FailedKeyAttemptsPerMinute"/>): past the limit, every keyed call from that address
/// gets 429 with Retry-After until the window ends — without the key being checked, so a correct guess is not told apart.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, TenantStore store, IOptions<ServingOptions> options)
{
    private const string TenantItem = "modelloop.tenant";

    // System.Threading.RateLimiting's fixed window, one partition per client address; a permit is taken per failure.
    private readonly PartitionedRateLimiter<string> _failures = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, options.Value.FailedKeyAttemptsPerMinute),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    public static Tenant Current(HttpContext context) =>
        context.Items[TenantItem] as Tenant ?? throw new InvalidOperationException("No tenant on this request: ApiKeyMiddleware must run before the /v1 endpoints.");

    public static Tenant? Find(HttpContext context) => context.Items[TenantItem] as Tenant;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1"))
        {
            await next(context);
            return;
        }
        var key = ReadKey(context.Request);
        var checks = key is not null || options.Value.RequireApiKeys;
        var address = checks ? context.Connection.RemoteIpAddress?.ToString() ?? "(unknown)" : "";
        if (checks && _failures.GetStatistics(address)?.CurrentAvailablePermits == 0)
        {
            await TooManyFailures(context);
            return;
        }
        string? problem = null;
        if (key is null)
        {
            if (options.Value.RequireApiKeys)
                problem = "No API key was sent. Send your key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'; an administrator creates keys with POST /v1/admin/tenants.";
            else
                context.Items[TenantItem] = Tenant.Anonymous;
        }
        else if (options.Value.AdminKey is { Length: > 0 } admin && FixedTimeEquals(key, admin))
            context.Items[TenantItem] = Tenant.Admin;
        else
        {
            var (status, tenant) = store.Authenticate(key);
            problem = status switch
            {
                TenantStore.KeyStatus.Revoked => "This API key was revoked. Ask the administrator for a new key (POST /v1/admin/tenants/{id}/keys) and send that instead.",
                TenantStore.KeyStatus.Unknown => "This API key is not known. Check that you copied the whole key (it starts with 'ml_'), or ask the administrator for one.",
                _ => null,
            };
            if (tenant is not null)
                context.Items[TenantItem] = tenant;
        }
        if (problem is not null)
        {
            using var lease = _failures.AttemptAcquire(address);
            if (!lease.IsAcquired)
            {
                await TooManyFailures(context);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await TypedResults.Problem(problem, statusCode: StatusCodes.Status401Unauthorized, title: "Missing or invalid API key.").ExecuteAsync(context);
            return;
        }
        await next(context);
    }

    private async Task TooManyFailures(HttpContext context) =>
        await Problems.TooMany(context,
            $"More than {options.Value.FailedKeyAttemptsPerMinute} requests from this address had a missing, unknown or revoked API key in the last minute; no key is checked from it until the Retry-After delay has passed. Check the key you send (it starts with 'ml_').",
            TimeSpan.FromMinutes(1)).ExecuteAsync(context);

    private static string? ReadKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue("X-Api-Key", out var header) && header.ToString() is { Length: > 0 } value)
            return value.Trim();
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7 ? authorization[7..].Trim() : null;
    }

    // FixedTimeEquals returns at once when the lengths differ, which tells a caller the admin key's length;
    // comparing SHA-256 digests (always 32 bytes) keeps the time independent of both the content and the length.
    internal static bool FixedTimeEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(a)),
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(b)));
}
