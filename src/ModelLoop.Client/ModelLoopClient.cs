using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ModelLoop.Contracts;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace ModelLoop.Client;

/// <summary>
/// Typed calls to a ModelLoop server: predict, feedback on predictions, model metadata, usage and (with the admin key) tenants.
/// Transient failures (connection errors, 408, 429 with a short Retry-After, 5xx) are retried with
/// exponential backoff and jitter by Microsoft.Extensions.Http.Resilience's retry strategy, which also
/// honours Retry-After — but only for calls that are safe to repeat: reads, replacements and deletions (GET, PUT,
/// DELETE), feedback (the server answers a repeat with Unchanged), and predictions, which carry an
/// <c>Idempotency-Key</c> header made once per call and sent again on each of its retries, so a response lost after the
/// server metered it is answered from the server's store, not run and billed twice. Creating a tenant or a key is never
/// retried (a retry could create a second one): on a transient failure it throws, and the caller checks
/// <see cref="ListTenantsAsync"/> before trying again. Other errors throw <see cref="ModelLoopApiException"/> with the server's
/// explanation. Every call takes a CancellationToken. Thread-safe; keep one per server.
/// <code>
/// using var client = new ModelLoopClient(new Uri("http://localhost:5000"), apiKey);
/// var response = await client.PredictAsync("iris", [[5.1f, 3.5f, 1.4f, 0.2f]]);
/// Console.WriteLine(response.Predictions[0].Label);   // "setosa"; .Probabilities["setosa"], or .Values for regression
/// </code>
/// The request and response types are those of ModelLoop.Contracts, which the server uses too.
/// </summary>
public sealed class ModelLoopClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>A client with its own HttpClient and the retry policy of <paramref name="options"/>.</summary>
    public ModelLoopClient(Uri baseAddress, string? apiKey = null, ModelLoopClientOptions? options = null)
        : this(new HttpClient(CreateHandler(options ?? new ModelLoopClientOptions(), new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }))
        {
            BaseAddress = baseAddress ?? throw new ArgumentNullException(nameof(baseAddress)),
            Timeout = (options ?? new ModelLoopClientOptions()).Timeout,
        }, apiKey)
    {
        _ownsHttp = true;
    }

    /// <summary>
    /// A client over an HttpClient you configure (e.g. from IHttpClientFactory); its BaseAddress must be the
    /// server's. Add retries with <see cref="CreateHandler"/> or AddStandardResilienceHandler.
    /// </summary>
    public ModelLoopClient(HttpClient httpClient, string? apiKey = null)
    {
        _http = httpClient ?? throw new ArgumentNullException(nameof(httpClient));
        if (_http.BaseAddress is null)
            throw new ArgumentException("The HttpClient has no BaseAddress; set it to the server's address, e.g. http://localhost:5000/.", nameof(httpClient));
        ApiKey = apiKey;
    }

    /// <summary>Sent as <c>Authorization: Bearer</c> on every call; null sends none.</summary>
    public string? ApiKey { get; }

    /// <summary>The retry handler this client uses, over <paramref name="inner"/> (for HttpClients you build yourself).</summary>
    public static DelegatingHandler CreateHandler(ModelLoopClientOptions options, HttpMessageHandler inner)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => ValueTask.FromResult(IsSafeToRetry(args.Context.GetRequestMessage()) && IsTransient(args.Outcome, options.MaxRetryAfter)),
            });
        }
        return new ResilienceHandler(builder.Build()) { InnerHandler = inner };
    }

    public async Task<IReadOnlyList<ModelSummary>> ListModelsAsync(CancellationToken cancellationToken = default) =>
        await Send<ModelSummary[]>(HttpMethod.Get, "v1/models", null, cancellationToken);

    /// <summary>A version's input schema and metadata; null version: the server's default (production, else latest).</summary>
    public Task<ModelMetadata> GetModelAsync(string model, string? version = null, CancellationToken cancellationToken = default) =>
        Send<ModelMetadata>(HttpMethod.Get, $"v1/models/{Escape(model)}{VersionQuery(version, '?')}", null, cancellationToken);

    // Every Predict…Async answers with one ItemPrediction per item, in order: label, class and probabilities for a
    // classifier, values for a regression model; returnOutputs adds each item's raw outputs (logits for classifiers).

    /// <summary>Predicts for items given as flat arrays (each the model's input shape, flattened).</summary>
    public Task<PredictResponse> PredictAsync(string model, IEnumerable<float[]> inputs, string? version = null, bool returnOutputs = false, CancellationToken cancellationToken = default) =>
        Send<PredictResponse>(HttpMethod.Post, Retry.WithIdempotencyKey, PredictPath(model, version, returnOutputs), new { inputs = inputs.ToArray() }, cancellationToken);

    /// <summary>Predicts for records of named numeric features (models whose input lists feature names).</summary>
    public Task<PredictResponse> PredictRecordsAsync(string model, IEnumerable<IReadOnlyDictionary<string, double>> records, string? version = null, bool returnOutputs = false, CancellationToken cancellationToken = default) =>
        Send<PredictResponse>(HttpMethod.Post, Retry.WithIdempotencyKey, PredictPath(model, version, returnOutputs), new { records = records.ToArray() }, cancellationToken);

    /// <summary>
    /// Predicts for raw rows, column → value (a string, a number, a boolean, or null when missing), for models
    /// whose input says <see cref="ModelInput.RawRecords"/>: the server applies the model's fitted preprocessing
    /// (imputation, scaling, category encoding…) to each row, and answers 400 naming the column a row gets wrong.
    /// </summary>
    public Task<PredictResponse> PredictRawRecordsAsync(string model, IEnumerable<IReadOnlyDictionary<string, object?>> records, string? version = null, bool returnOutputs = false, CancellationToken cancellationToken = default) =>
        Send<PredictResponse>(HttpMethod.Post, Retry.WithIdempotencyKey, PredictPath(model, version, returnOutputs), new { records = records.ToArray() }, cancellationToken);

    /// <summary>Predicts for images: image files (PNG, JPEG… of the model's height × width) or raw 8-bit pixels (channels × height × width bytes).</summary>
    public Task<PredictResponse> PredictImagesAsync(string model, IEnumerable<byte[]> images, string? version = null, bool returnOutputs = false, CancellationToken cancellationToken = default) =>
        Send<PredictResponse>(HttpMethod.Post, Retry.WithIdempotencyKey, PredictPath(model, version, returnOutputs), new { images = images.Select(Convert.ToBase64String).ToArray() }, cancellationToken);

    /// <summary>
    /// Sends feedback on one item of a prediction: the <see cref="PredictResponse.RequestId"/> it returned, the item's
    /// index for a request of several, and the true label (<see cref="FeedbackRequest.WithLabel"/>, <see cref="FeedbackRequest.WithClass"/>,
    /// <see cref="FeedbackRequest.WithValues"/>), a correct flag or a score. Safe to retry: the same feedback again is
    /// answered <see cref="FeedbackStatus.Unchanged"/>; different feedback replaces the stored one (<see cref="FeedbackStatus.Replaced"/>).
    /// An unknown request id (or one of another API key) throws <see cref="ModelLoopApiException"/> with 404; a label the
    /// model does not have, 400 naming the field.
    /// </summary>
    public Task<FeedbackResponse> SendFeedbackAsync(string model, FeedbackRequest feedback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        return Send<FeedbackResponse>(HttpMethod.Post, Retry.Safe, $"v1/models/{Escape(model)}/feedback", feedback, cancellationToken);
    }

    /// <summary>Hourly usage rows in [from, to) (UTC); a tenant key sees its own, the admin key all or <paramref name="tenantId"/>'s.</summary>
    public async Task<IReadOnlyList<UsageRow>> GetUsageAsync(DateTime? fromUtc = null, DateTime? toUtc = null, string? tenantId = null, CancellationToken cancellationToken = default) =>
        await Send<UsageRow[]>(HttpMethod.Get, "v1/usage" + UsageQuery(fromUtc, toUtc, tenantId), null, cancellationToken);

    /// <summary>The same rows as CSV, for billing.</summary>
    public async Task<string> ExportUsageCsvAsync(DateTime? fromUtc = null, DateTime? toUtc = null, string? tenantId = null, CancellationToken cancellationToken = default)
    {
        using var response = await SendRaw(HttpMethod.Get, "v1/usage.csv" + UsageQuery(fromUtc, toUtc, tenantId), null, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>
    /// Admin: creates a tenant granted <paramref name="models"/> ("*" for all) and returns its first key (shown once). Limits
    /// left null are none (requests per minute: the server's default); <paramref name="itemsPerMinute"/> and
    /// <paramref name="dailyItemQuota"/> count items (rows, records, images), not requests. Not retried: after a transient
    /// failure, see whether it was created (<see cref="ListTenantsAsync"/>) before calling again.
    /// </summary>
    public Task<CreatedApiKey> CreateTenantAsync(string name, IEnumerable<string> models, int? requestsPerMinute = null, long? dailyRequestQuota = null,
        long? itemsPerMinute = null, long? dailyItemQuota = null, CancellationToken cancellationToken = default) =>
        Send<CreatedApiKey>(HttpMethod.Post, "v1/admin/tenants", new CreateTenantRequest(name, models.ToArray(), requestsPerMinute, dailyRequestQuota, itemsPerMinute, dailyItemQuota), cancellationToken);

    /// <summary>Admin: every tenant with its grants, rate limit and daily quota.</summary>
    public async Task<IReadOnlyList<TenantSummary>> ListTenantsAsync(CancellationToken cancellationToken = default) =>
        await Send<TenantSummary[]>(HttpMethod.Get, "v1/admin/tenants", null, cancellationToken);

    /// <summary>Admin: another key for a tenant (rotation: create the new key, switch, revoke the old one). Not retried, as <see cref="CreateTenantAsync"/>.</summary>
    public Task<CreatedApiKey> AddKeyAsync(string tenantId, CancellationToken cancellationToken = default) =>
        Send<CreatedApiKey>(HttpMethod.Post, $"v1/admin/tenants/{Escape(tenantId)}/keys", null, cancellationToken);

    /// <summary>Admin: replaces a tenant's model grants, rate limits and daily quotas, in requests and in items (null: none).</summary>
    public async Task UpdateTenantAsync(string tenantId, IEnumerable<string> models, int requestsPerMinute, long? dailyRequestQuota = null,
        long? itemsPerMinute = null, long? dailyItemQuota = null, CancellationToken cancellationToken = default)
    {
        using var _ = await SendRaw(HttpMethod.Put, $"v1/admin/tenants/{Escape(tenantId)}", new UpdateTenantRequest(models.ToArray(), requestsPerMinute, dailyRequestQuota, itemsPerMinute, dailyItemQuota), cancellationToken);
    }

    /// <summary>Admin: revokes a key by its id; calls with it then get 401.</summary>
    public async Task RevokeKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        using var _ = await SendRaw(HttpMethod.Delete, $"v1/admin/keys/{Escape(keyId)}", null, cancellationToken);
    }

    /// <summary>
    /// The caller's invoice for a UTC month ("2026-12"; a draft while the month runs): a tenant key gets its own (another
    /// tenant's id throws <see cref="ModelLoopApiException"/> with 403); the admin key names the tenant.
    /// </summary>
    public Task<Invoice> GetInvoiceAsync(string month, string? tenantId = null, CancellationToken cancellationToken = default) =>
        Send<Invoice>(HttpMethod.Get, $"v1/invoices/{Escape(month)}{(tenantId is null ? "" : "?tenant=" + Uri.EscapeDataString(tenantId))}", null, cancellationToken);

    /// <summary>Admin: every tenant's invoice for a UTC month ("2026-12"), or only <paramref name="tenantId"/>'s.</summary>
    public async Task<IReadOnlyList<Invoice>> ListInvoicesAsync(string month, string? tenantId = null, CancellationToken cancellationToken = default) =>
        await Send<Invoice[]>(HttpMethod.Get, $"v1/admin/invoices/{Escape(month)}{(tenantId is null ? "" : "?tenant=" + Uri.EscapeDataString(tenantId))}", null, cancellationToken);

    /// <summary>
    /// A month's invoices as CSV (one row per line, a plan_fee and a total row per invoice): the admin key gets every
    /// tenant's (or <paramref name="tenantId"/>'s), a tenant key its own.
    /// </summary>
    public async Task<string> ExportInvoicesCsvAsync(string month, string? tenantId = null, bool asAdmin = false, CancellationToken cancellationToken = default)
    {
        var path = asAdmin ? $"v1/admin/invoices/{Escape(month)}?format=csv" : $"v1/invoices/{Escape(month)}?format=csv";
        using var response = await SendRaw(HttpMethod.Get, path + (tenantId is null ? "" : "&tenant=" + Uri.EscapeDataString(tenantId)), null, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>Admin: every price version, or those of <paramref name="model"/>.</summary>
    public async Task<IReadOnlyList<ModelPrice>> ListPricesAsync(string? model = null, CancellationToken cancellationToken = default) =>
        await Send<ModelPrice[]>(HttpMethod.Get, "v1/admin/prices" + (model is null ? "" : "?model=" + Uri.EscapeDataString(model)), null, cancellationToken);

    /// <summary>
    /// Admin: adds a price version, or replaces the one of the same model and date (so retried safely). A date in a month
    /// that has ended throws <see cref="ModelLoopApiException"/> with 409; a bad field, 400 naming it.
    /// </summary>
    public Task<ModelPrice> SetPriceAsync(ModelPrice price, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(price);
        return Send<ModelPrice>(HttpMethod.Post, Retry.Safe, "v1/admin/prices", price, cancellationToken);
    }

    /// <summary>Admin: removes a price version not yet in effect in an ended month.</summary>
    public async Task RemovePriceAsync(string model, DateOnly effectiveFrom, CancellationToken cancellationToken = default)
    {
        using var _ = await SendRaw(HttpMethod.Delete, $"v1/admin/prices/{Escape(model)}/{effectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}", null, cancellationToken);
    }

    /// <summary>Admin: every plan version.</summary>
    public async Task<IReadOnlyList<BillingPlan>> ListPlansAsync(CancellationToken cancellationToken = default) =>
        await Send<BillingPlan[]>(HttpMethod.Get, "v1/admin/plans", null, cancellationToken);

    /// <summary>Admin: adds a plan version, or replaces the one of the same id and date (so retried safely).</summary>
    public Task<BillingPlan> SetPlanAsync(BillingPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return Send<BillingPlan>(HttpMethod.Post, Retry.Safe, "v1/admin/plans", plan, cancellationToken);
    }

    /// <summary>Admin: removes a plan version not yet in effect in an ended month.</summary>
    public async Task RemovePlanAsync(string id, DateOnly effectiveFrom, CancellationToken cancellationToken = default)
    {
        using var _ = await SendRaw(HttpMethod.Delete, $"v1/admin/plans/{Escape(id)}/{effectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}", null, cancellationToken);
    }

    /// <summary>Admin: every plan assignment, or those of <paramref name="tenantId"/>.</summary>
    public async Task<IReadOnlyList<PlanAssignment>> ListPlanAssignmentsAsync(string? tenantId = null, CancellationToken cancellationToken = default) =>
        await Send<PlanAssignment[]>(HttpMethod.Get, "v1/admin/plan-assignments" + (tenantId is null ? "" : "?tenant=" + Uri.EscapeDataString(tenantId)), null, cancellationToken);

    /// <summary>Admin: puts a tenant on a plan (or none) from a month on, replacing an assignment of that month (so retried safely).</summary>
    public Task<PlanAssignment> AssignPlanAsync(PlanAssignment assignment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        return Send<PlanAssignment>(HttpMethod.Post, Retry.Safe, "v1/admin/plan-assignments", assignment, cancellationToken);
    }

    public void Dispose()
    {
        if (_ownsHttp)
            _http.Dispose();
    }

    private Task<T> Send<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken) =>
        Send<T>(method, Retry.ByMethod, path, body, cancellationToken);

    private async Task<T> Send<T>(HttpMethod method, Retry retry, string path, object? body, CancellationToken cancellationToken)
    {
        using var response = await SendRaw(method, path, body, cancellationToken, retry);
        return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
            ?? throw new ModelLoopApiException(response.StatusCode, "Empty response", $"The server answered {path} with no body; expected JSON.", null);
    }

    /// <summary>The request header that makes a predict call idempotent: Idempotency-Key.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    // Whether a call may be sent again after a transient failure.
    private enum Retry
    {
        ByMethod,          // GET, HEAD, PUT, DELETE and OPTIONS are; POST is not
        Safe,              // a POST the server treats as idempotent by its content (feedback)
        WithIdempotencyKey, // a POST made idempotent by a key made once for the call (predict)
    }

    private static readonly HttpRequestOptionsKey<bool> SafeToRetry = new("ModelLoop.SafeToRetry");

    private async Task<HttpResponseMessage> SendRaw(HttpMethod method, string path, object? body, CancellationToken cancellationToken, Retry retry = Retry.ByMethod)
    {
        using var request = new HttpRequestMessage(method, path);
        // One key per logical call: the retry handler sends this same message again, header included.
        if (retry == Retry.WithIdempotencyKey)
            request.Headers.TryAddWithoutValidation(IdempotencyKeyHeader, Guid.NewGuid().ToString("N"));
        request.Options.Set(SafeToRetry, retry != Retry.ByMethod || IsIdempotentMethod(method));
        if (ApiKey is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        if (body is not null)
            request.Content = JsonContent.Create(body, options: Json);
        var response = await _http.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
            return response;
        using (response)
        {
            string? title = null, detail = null;
            try
            {
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken);
                title = problem.TryGetProperty("title", out var t) ? t.GetString() : null;
                detail = problem.TryGetProperty("detail", out var d) ? d.GetString() : null;
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
            {
                detail = $"The server answered {(int)response.StatusCode} without a ProblemDetails body.";
            }
            throw new ModelLoopApiException(response.StatusCode, title ?? response.ReasonPhrase, detail, RetryAfter(response));
        }
    }

    // A request this client built says whether it may be repeated; another's (an HttpClient built with CreateHandler) goes by its method and header.
    private static bool IsSafeToRetry(HttpRequestMessage? request) =>
        request is not null && (request.Options.TryGetValue(SafeToRetry, out var safe) ? safe : IsIdempotentMethod(request.Method) || request.Headers.Contains(IdempotencyKeyHeader));

    private static bool IsIdempotentMethod(HttpMethod method) =>
        method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Put || method == HttpMethod.Delete || method == HttpMethod.Options;

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome, TimeSpan maxRetryAfter)
    {
        if (outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests } tooMany)
            return RetryAfter(tooMany) is not { } wait || wait <= maxRetryAfter;
        return HttpClientResiliencePredicates.IsTransient(outcome);
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Delta ?? (response.Headers.RetryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);

    private static string PredictPath(string model, string? version, bool returnOutputs) =>
        $"v1/models/{Escape(model)}/predict{VersionQuery(version, '?')}{(returnOutputs ? (version is null ? "?" : "&") + "outputs=raw" : "")}";

    private static string VersionQuery(string? version, char separator) => version is null ? "" : $"{separator}version={Uri.EscapeDataString(version)}";

    private static string UsageQuery(DateTime? fromUtc, DateTime? toUtc, string? tenantId)
    {
        var parts = new List<string>();
        if (fromUtc is { } from)
            parts.Add("from=" + Uri.EscapeDataString(from.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)));
        if (toUtc is { } to)
            parts.Add("to=" + Uri.EscapeDataString(to.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)));
        if (tenantId is not null)
            parts.Add("tenant=" + Uri.EscapeDataString(tenantId));
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    private static string Escape(string segment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(segment);
        return Uri.EscapeDataString(segment);
    }
}
