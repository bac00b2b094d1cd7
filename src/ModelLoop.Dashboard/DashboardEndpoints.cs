using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ModelLoop.Dashboard.Serving;
using ModelLoop.Serving.Billing;
using ModelLoop.Serving.Tenants;
using ModelLoop.Tracking;

namespace ModelLoop.Dashboard;

/// <summary>
/// What the pages fetch besides HTML: the vendored scripts, metric curves (JSON), a running run's new points
/// (server-sent events), the serving figures (JSON) and evaluation reports (sandboxed HTML).
/// </summary>
internal static class DashboardEndpoints
{
    /// <summary>How often a running run's curves are re-read for its event stream.</summary>
    public static readonly TimeSpan LivePoll = TimeSpan.FromSeconds(1);

    public static void Map(RouteGroupBuilder ui)
    {
        ui.MapGet("/static/{file}", Static).AllowAnonymous();
        var admin = ui.MapGroup("").RequireAuthorization(DashboardAuth.AdminPolicy);
        admin.MapGet("/runs/curves", Curves);
        admin.MapGet("/runs/{id}/events", Events);
        admin.MapGet("/serving/figures", (ServingSampler sampler) => TypedResults.Ok(sampler.History()));
        ui.MapGet("/models/{name}/{version:int}/report", Report).RequireAuthorization(DashboardAuth.UserPolicy);
        ui.MapGet("/tenants/{id}/invoices/{month}.{format}", Invoice).RequireAuthorization(DashboardAuth.UserPolicy);
    }

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".js"] = "text/javascript; charset=utf-8", [".css"] = "text/css; charset=utf-8", [".txt"] = "text/plain; charset=utf-8",
    };

    private static IResult Static(string file, HttpContext context)
    {
        var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("wwwroot/" + file);
        if (stream is null || !ContentTypes.TryGetValue(Path.GetExtension(file), out var type))
            return TypedResults.NotFound();
        context.Response.Headers.CacheControl = "public, max-age=3600";
        return TypedResults.Stream(stream, type);
    }

    /// <summary>Every metric of the given runs: key → run id → [steps, values] (uPlot's column layout).</summary>
    private static Results<Ok<Dictionary<string, Dictionary<string, double[][]>>>, NotFound<string>> Curves(string[] id, DashboardStores stores)
    {
        if (stores.Runs is not { } runs)
            return TypedResults.NotFound("No run store in this home.");
        var curves = new Dictionary<string, Dictionary<string, double[][]>>(StringComparer.Ordinal);
        foreach (var runId in id.Distinct().Take(10))
        {
            foreach (var (key, points) in runs.GetMetrics(runId))
            {
                var byRun = curves.TryGetValue(key, out var found) ? found : curves[key] = new(StringComparer.Ordinal);
                byRun[runId] = Columns(points);
            }
        }
        return TypedResults.Ok(curves);
    }

    private static double[][] Columns(IEnumerable<MetricPoint> points)
    {
        var list = points.ToList();
        return [list.Select(p => (double)p.Step).ToArray(), list.Select(p => p.Value).ToArray()];
    }

    /// <summary>A running run's new points every second ("points": key → [steps, values]); "end" when the run is no longer running.</summary>
    private static Results<ServerSentEventsResult<object>, NotFound<string>> Events(string id, DashboardStores stores, CancellationToken cancellationToken)
    {
        if (stores.Runs is not { } runs)
            return TypedResults.NotFound("No run store in this home.");
        RunRecord run;
        try
        {
            run = runs.GetRun(id);
        }
        catch (KeyNotFoundException e)
        {
            return TypedResults.NotFound(e.Message);
        }
        return TypedResults.ServerSentEvents(Stream(runs, run.Id, cancellationToken));
    }

    private static async IAsyncEnumerable<SseItem<object>> Stream(RunStore runs, string runId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sent = new Dictionary<string, long>(StringComparer.Ordinal);
        while (!cancellationToken.IsCancellationRequested)
        {
            var running = runs.GetRun(runId).Status == RunStatus.Running;
            var fresh = new Dictionary<string, double[][]>(StringComparer.Ordinal);
            foreach (var (key, points) in runs.GetMetrics(runId))
            {
                var last = sent.GetValueOrDefault(key, long.MinValue);
                var newer = points.Where(p => p.Step > last).ToList();
                if (newer.Count == 0)
                    continue;
                fresh[key] = Columns(newer);
                sent[key] = newer[^1].Step;
            }
            if (fresh.Count > 0)
                yield return new SseItem<object>(fresh, "points");
            if (!running)
            {
                yield return new SseItem<object>(new { status = runs.GetRun(runId).Status.ToString() }, "end");
                yield break;
            }
            try
            {
                await Task.Delay(LivePoll, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    /// <summary>A tenant's invoice for a month (yyyy-MM) as CSV or JSON, for the admin or that tenant only (another's: 404).</summary>
    private static IResult Invoice(string id, string month, string format, HttpContext context, BillingService billing)
    {
        if (!DashboardUser.From(context.User).MaySeeTenant(id) || format is not ("csv" or "json"))
            return TypedResults.NotFound();
        Contracts.Invoice invoice;
        try
        {
            invoice = billing.GetInvoice(BillingMonth.Parse(month, "month"), id);
        }
        catch (KeyNotFoundException)
        {
            return TypedResults.NotFound();
        }
        catch (Exception e) when (e is ArgumentException or BillingConflictException)
        {
            return TypedResults.BadRequest(e.Message);
        }
        var name = $"invoice-{id}-{month}.{format}";
        return format == "csv"
            ? TypedResults.File(System.Text.Encoding.UTF8.GetBytes(InvoiceReport.ToCsv([invoice])), "text/csv; charset=utf-8", name)
            : TypedResults.File(System.Text.Encoding.UTF8.GetBytes(InvoiceReport.ToJson(invoice)), "application/json", name);
    }

    /// <summary>
    /// The evaluation report of a model version (report.html next to its run's artifact, or eval/NAME-vN in the home),
    /// for a user who may see the model; served with a sandboxing CSP since it is a file from disk.
    /// </summary>
    private static IResult Report(string name, int version, HttpContext context, DashboardStores stores, TenantStore tenants)
    {
        var user = DashboardUser.From(context.User);
        if (!stores.VisibleModels(user, tenants).Any(m => m.Name == name))
            return TypedResults.NotFound();
        var path = EvaluationReports.Find(stores, stores.Registry!.GetVersion(name, version));
        if (path is null)
            return TypedResults.NotFound();
        context.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'";
        return TypedResults.PhysicalFile(path, "text/html; charset=utf-8");
    }
}
