using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelLoop.Artifacts;
using ModelLoop.Contracts;
using ModelLoop.Serving.Batching;
using ModelLoop.Serving.Catalog;
using ModelLoop.Serving.Logging;
using ModelLoop.Serving.Metering;
using ModelLoop.Serving.Tenants;

namespace ModelLoop.Serving.Api;

/// <summary>
/// POST /v1/models/{name}/predict?version=&amp;outputs=raw — the body formats are in <see cref="PredictInput"/>. The
/// request joins its model's batch queue; the answer is sent after its usage (and, when the prediction log keeps it,
/// its log entry) was committed, with the request's id in the body and the X-Request-Id header. Each item's prediction
/// says what a user wants: a classifier's label, class index and class probabilities, or a regression model's
/// values by output name (<see cref="PackageInfo"/> reads which from the model package). The raw outputs are added
/// only when asked for, with <c>?outputs=raw</c> or <c>"returnOutputs": true</c> in the body. A call sent with an
/// <c>Idempotency-Key</c> header is answered once per tenant and key (<see cref="IdempotencyStore"/>): its retries get the stored answer.
/// </summary>
internal static class PredictApi
{
    public static RouteGroupBuilder MapPredictApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/models/{name}/predict", Predict).WithName("Predict")
            .Accepts<JsonElement>("application/json");
        return v1;
    }

    /// <summary>The response header carrying the request's id (also <see cref="PredictResponse.RequestId"/>).</summary>
    public const string RequestIdHeader = "X-Request-Id";

    private const string PredictExample = "{ \"inputs\": [[…]] }; GET /v1/models/{name} shows an example for the model";

    private static async Task<Results<Ok<PredictResponse>, ProblemHttpResult>> Predict(string name, string? version, string? outputs, HttpContext context,
        ModelHost host, UsageMeter meter, PredictionRecorder recorder, IOptions<ServingOptions> options, IdempotencyStore idempotency, CancellationToken cancellationToken)
    {
        // Every answer, errors included, names its request: feedback and support questions refer to it.
        var request = new RequestContext(Guid.CreateVersion7().ToString("N"), Stopwatch.GetTimestamp());
        context.Response.Headers[RequestIdHeader] = request.Id;
        var tenant = ApiKeyMiddleware.Current(context);
        if (!tenant.IsGranted(name))
            return Count(UnknownLabel, "invalid", ModelsApi.UnknownModel(host, tenant, name, version));
        // A retry with the call's Idempotency-Key gets the stored answer: not run, not metered, no quota taken.
        using var claim = await idempotency.Claim(context, tenant.Id, cancellationToken);
        if (claim.Answer is { } answered)
            return answered;
        // The quota counts requests in flight too (a reservation until the request is metered or fails): checking
        // only committed usage let a burst of concurrent requests all pass a nearly used-up quota.
        if (tenant.DailyRequestQuota is { } quota && !meter.TryReserve(tenant.Id, quota))
        {
            var midnight = DateTime.UtcNow.Date.AddDays(1) - DateTime.UtcNow;
            return Count(Label(host, name), "rejected", Problems.TooMany(context, $"The daily quota of {quota} requests for this key is used up; it resets at 00:00 UTC. Retry then, or ask the administrator for a larger quota.", midnight));
        }
        try
        {
            return claim.Keep(await Serve(name, version, outputs, context, host, meter, recorder, options, tenant, request, cancellationToken));
        }
        finally
        {
            if (tenant.DailyRequestQuota is not null)
                meter.ReleaseReservation(tenant.Id);
        }
    }

    // The request's id and when it arrived (its logged latency runs from here to its outputs).
    private sealed record RequestContext(string Id, long Started);

    private static async Task<Results<Ok<PredictResponse>, ProblemHttpResult>> Serve(string name, string? version, string? outputs, HttpContext context,
        ModelHost host, UsageMeter meter, PredictionRecorder recorder, IOptions<ServingOptions> options, Tenant tenant, RequestContext request, CancellationToken cancellationToken)
    {
        // Shed before the body is read or decoded when the model's queue or memory bound is full (AdmissionGate).
        using var admission = context.RequestServices.GetRequiredService<AdmissionGate>().Begin(context, name, version, tenant);
        if (admission.Refusal is { } shed)
            return Count(Label(host, name), "rejected", shed);
        var (body, problem) = await JsonBody.Read(context.Request, options.Value.MaxRequestBytes, PredictExample, cancellationToken);
        if (problem is not null)
            return Count(Label(host, name), "invalid", problem);
        using (body)
        {
            var (raw, rawProblem) = WantsRawOutputs(outputs, body!.RootElement);
            if (rawProblem is not null)
                return Count(Label(host, name), "invalid", rawProblem);
            var log = recorder.Decide(name, tenant.Id);
            (ModelRunner? Runner, EnqueueResult Result, Task<Batching.PredictOutcome>? Outcome, ParsedInput? Input) queued;
            try
            {
                queued = await host.Enqueue(name, version, admission.Guard(body!.RootElement, model => PredictInput.Parse(body!.RootElement, model, options.Value.MaxItemsPerRequest)), cancellationToken,
                    log is null ? null : log.NeedsEmbeddings);
            }
            catch (BadInputException e)
            {
                return Count(name, "invalid", Problems.BadInput(e.Message));
            }
            catch (ModelUnavailableException e)
            {
                return Count(name, "unavailable", Problems.Unavailable(context, e));
            }
            catch (AdmissionRefusedException e)
            {
                return Count(name, "rejected", e.ToProblem(context));
            }
            if (queued.Runner is null)
                return Count(UnknownLabel, "invalid", ModelsApi.UnknownModel(host, tenant, name, version));
            if (queued.Outcome is null)
                return Count(name, "rejected", Problems.TooMany(context, $"Model '{name}' has {queued.Runner.QueueDepth} requests waiting, its queue's bound; the request was not run. Retry after the Retry-After delay, with backoff.", TimeSpan.FromSeconds(1)));
            // Not cancelled by the client going away: a request abandoned before its batch ran is dropped by the runner
            // (its outcome is cancelled, nothing was computed or is billed); once computed, it is metered even if nobody reads the answer.
            Batching.PredictOutcome outcome;
            try
            {
                outcome = await queued.Outcome;
            }
            catch (ItemsFailedException e)
            {
                return Count(name, "failed", PredictAnswer.Failed(context, e));
            }
            var latencyMs = Stopwatch.GetElapsedTime(request.Started).TotalMilliseconds;
            var servable = queued.Runner.Model;
            // Built (and checked to be sendable) before anything is billed.
            var (response, unanswerable) = PredictAnswer.Build(name, servable, outcome, raw);
            if (unanswerable is not null)
                return Count(name, "failed", unanswerable);
            var count = response!.Predictions.Count;
            // Answered only once both its usage and (when logged) its log entry are committed.
            var metered = meter.Record(tenant.Id, name, outcome.Version, count, outcome.ComputeMilliseconds);
            var logged = log is null ? Task.CompletedTask : recorder.Record(log, request.Id, tenant.Id, servable, queued.Input!, outcome, latencyMs);
            await Task.WhenAll(metered, logged);
            ServingMetrics.Items.WithLabels(name).Inc(count);
            ServingMetrics.Requests.WithLabels(name, "ok").Inc();
            return TypedResults.Ok(response with { RequestId = request.Id });
        }
    }

    // Raw outputs are opt-in: ?outputs=raw or "returnOutputs": true in the body; anything else there is a 400.
    private static (bool Raw, ProblemHttpResult? Problem) WantsRawOutputs(string? outputs, JsonElement body)
    {
        if (outputs is not null && outputs != "raw")
            return (false, Problems.BadInput($"?outputs= accepts only \"raw\" (add each item's raw outputs to its prediction); received '{outputs}'. Omit it for labels, probabilities or values only."));
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("returnOutputs", out var flag))
            return (outputs is not null, null);
        if (flag.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            return (false, Problems.BadInput($"\"returnOutputs\" must be true or false; received {flag.GetRawText()}."));
        return (outputs is not null || flag.GetBoolean(), null);
    }

    // Metric labels come from the URL: names the catalog does not know share one label, so random names
    // cannot create unbounded Prometheus series.
    private const string UnknownLabel = "(unknown)";

    private static string Label(ModelHost host, string name) => host.Catalog.List().Any(m => m.Name == name) ? name : UnknownLabel;

    private static ProblemHttpResult Count(string model, string outcome, ProblemHttpResult problem)
    {
        ServingMetrics.Requests.WithLabels(model, outcome).Inc();
        return problem;
    }
}
