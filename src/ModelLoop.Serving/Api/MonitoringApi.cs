using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ModelLoop.Monitoring.Live;
using ModelLoop.Serving.Catalog;
using ModelLoop.Serving.Logging;
using ModelLoop.Serving.Tenants;

namespace ModelLoop.Serving.Api;

/// <summary>
/// GET /v1/models/{name}/monitoring?since=&amp;until=&amp;window=&amp;step= — the model's drift windows, alarms and live
/// accuracy from the prediction log (<see cref="LiveMonitor"/>), as JSON. The operator's view of every tenant's traffic,
/// so it needs the admin key. References come from the registry the server serves.
/// </summary>
internal static class MonitoringApi
{
    public static RouteGroupBuilder MapMonitoringApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/models/{name}/monitoring", Get).WithName("Monitoring");
        return v1;
    }

    private static Results<Ok<MonitoringReport>, ProblemHttpResult> Get(string name, string? since, string? until, int? window, int? step, HttpContext context,
        PredictionRecorder recorder, IModelCatalog catalog)
    {
        if (!ApiKeyMiddleware.Current(context).IsAdmin)
            return Problems.Forbidden("Monitoring shows every tenant's traffic of a model; call it with the admin key (Serving:AdminKey).");
        if (recorder.Log is not { } log)
            return Problems.NotFound("This server does not log predictions, so there is nothing to monitor. Start it with `modelloop serve --log-predictions`.");
        if (catalog is not RegistryCatalog served)
            return Problems.NotFound("Monitoring reads each version's reference profile from the model registry; this server serves run folders (--models). Serve the registry (`modelloop serve --home DIR`).");
        DateTimeOffset? from, to;
        MonitoringOptions options;
        try
        {
            from = Time(since, "since");
            to = Time(until, "until");
            var size = window ?? 200;
            options = new MonitoringOptions { WindowSize = size, Step = step ?? size };
            options.Validate();
        }
        catch (ArgumentException e)
        {
            return Problems.BadInput(e.Message);
        }
        var registry = served.Registry;
        if (!registry.ListModels().Any(m => m.Name == name))
            return Problems.NotFound($"The registry has no model '{name}'. List them with GET /v1/models.");
        return TypedResults.Ok(LiveMonitor.ForRegistry(registry, name, options).Evaluate(log, name, from, to));
    }

    private static DateTimeOffset? Time(string? text, string parameter) => text is null ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value
        : throw new ArgumentException($"Query parameter '{parameter}' expects an ISO 8601 UTC time such as 2026-12-01T08:00Z; received '{text}'.");
}
