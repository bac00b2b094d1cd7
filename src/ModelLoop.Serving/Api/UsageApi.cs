using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ModelLoop.Contracts;
using ModelLoop.Serving.Metering;
using ModelLoop.Serving.Tenants;

namespace ModelLoop.Serving.Api;

/// <summary>
/// GET /v1/usage and /v1/usage.csv (?tenant=&amp;from=&amp;to=, ISO dates/times in UTC): hourly usage rows. A
/// tenant sees only its own; the admin key sees all or the one named.
/// </summary>
internal static class UsageApi
{
    public static RouteGroupBuilder MapUsageApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/usage", Json).WithName("GetUsage");
        v1.MapGet("/usage.csv", Csv).WithName("ExportUsageCsv");
        return v1;
    }

    private static Results<Ok<IReadOnlyList<UsageRow>>, ProblemHttpResult> Json(string? tenant, string? from, string? to, HttpContext context, UsageMeter meter)
    {
        var (rows, problem) = Query(tenant, from, to, context, meter);
        return problem is not null ? problem : TypedResults.Ok(rows!);
    }

    private static Results<FileContentHttpResult, ProblemHttpResult> Csv(string? tenant, string? from, string? to, HttpContext context, UsageMeter meter)
    {
        var (rows, problem) = Query(tenant, from, to, context, meter);
        if (problem is not null)
            return problem;
        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(UsageReport.ToCsv(rows!)), "text/csv", "usage.csv");
    }

    private static (IReadOnlyList<UsageRow>? Rows, ProblemHttpResult? Problem) Query(string? tenantId, string? from, string? to, HttpContext context, UsageMeter meter)
    {
        var caller = ApiKeyMiddleware.Current(context);
        if (!caller.IsAdmin)
        {
            if (tenantId is not null && tenantId != caller.Id)
                return (null, Problems.Forbidden($"This key belongs to tenant '{caller.Id}' and may read only its own usage; omit ?tenant= or pass your own id."));
            tenantId = caller.Id;
        }
        if (!TryDate(from, out var fromUtc) || !TryDate(to, out var toUtc))
            return (null, Problems.BadInput($"?from= and ?to= must be ISO 8601 UTC dates or times such as 2026-11-23 or 2026-11-23T17:00Z; received from='{from}', to='{to}'."));
        return (meter.Query(tenantId, fromUtc, toUtc), null);
    }

    private static bool TryDate(string? text, out DateTime? value)
    {
        value = null;
        if (string.IsNullOrEmpty(text))
            return true;
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
            return false;
        value = parsed;
        return true;
    }
}
