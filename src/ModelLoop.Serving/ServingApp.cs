using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelLoop.Native;
using ModelLoop.Serving.Api;
using ModelLoop.Serving.Batching;
using ModelLoop.Serving.Catalog;
using ModelLoop.Serving.Language;
using ModelLoop.Serving.Logging;
using ModelLoop.Serving.Metering;
using ModelLoop.Serving.Tenants;
using Prometheus;

namespace ModelLoop.Serving;

/// <summary>
/// The model server's host setup, shared by its own Program, <c>modelloop serve</c>, the benchmark and the
/// client sample: <c>ServingApp.Build(args).Run()</c>, or <see cref="AddModelServing"/> +
/// <see cref="MapModelServing"/> on a host of your own. Register an <see cref="IModelCatalog"/> before
/// AddModelServing to serve from something other than a <see cref="RunFolderCatalog"/> on Serving:ModelsPath
/// (or a <see cref="RegistryCatalog"/> on Serving:RegistryHome).
/// </summary>
public static class ServingApp
{
    private const string TenantPolicy = "per-tenant";

    /// <summary>A ready-to-run server; <paramref name="configure"/> may add settings or services (e.g. a catalog).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // int8 (ONNX-only) packages load as models in this process too (the monitoring endpoint, retraining's gate).
        Optimization.Runtime.OnnxRuntimeSupport.Register();
        // prometheus-net starts its Meter adapter at the default registry's first collection (a scrape of /metrics, or
        // the dashboard's 2-second sampler); from then on every System.Diagnostics.Metrics measurement — ASP.NET Core's
        // and Kestrel's per-request counters — becomes a labelled-series lookup on the request path (~4% of a predict's
        // CPU under perf, issue 16's 32-client figure). The request figures /metrics needs come from UseHttpMetrics and
        // ServingMetrics, so the adapter only duplicated them; process and event-counter metrics stay. A no-op once the
        // registry has been collected (prometheus-net configures default metrics once per process).
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressMeters = true });
        var builder = WebApplication.CreateBuilder(args);
        // ASP.NET Core logs several Information lines per request; at thousands of requests a second that is noise
        // and cost. Start-up, model loads and warnings still show; Logging:LogLevel:Microsoft.AspNetCore overrides.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Kestrel reads ahead of the handler up to this much per connection (default 1 MiB). A shed request's body is never
        // read by the handler, so under thousands of connections the read-ahead, not the admitted work, would fill memory.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBufferSize = 64 * 1024);
        configure?.Invoke(builder);
        builder.Services.AddModelServing(builder.Configuration);
        var app = builder.Build();
        app.MapModelServing();
        return app;
    }

    public static IServiceCollection AddModelServing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ServingOptions>().Bind(configuration.GetSection(ServingOptions.Section));
        services.TryAddSingleton<IModelCatalog>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ServingOptions>>().Value;
            return options.RegistryHome is { } home
                ? new RegistryCatalog(new Registry.ModelRegistry(home), options.Batching) { Backend = options.Backend, OnnxThreads = options.TorchThreads, Verification = options.Verification }
                : new RunFolderCatalog(options.ModelsPath, options.Batching)
                {
                    Backend = options.Backend, OnnxThreads = options.TorchThreads,
                    Verification = options.Verification with { TrustedKeys = Registry.ModelRegistry.ReadTrustedKeys(options.TrustedKeysHome) },
                };
        });
        services.AddSingleton(sp => ServingSchema.Open(sp.GetRequiredService<IOptions<ServingOptions>>().Value.DatabasePath));
        services.AddSingleton<TenantStore>();
        services.AddSingleton<UsageMeter>();
        // Prices are accepted for every model served now: the predictive catalog's and the language-model catalog's.
        services.AddSingleton(sp => new Billing.BillingService(sp.GetRequiredService<Storage.SqliteDatabase>(), sp.GetRequiredService<TimeProvider>(),
            () => sp.GetRequiredService<IModelCatalog>().List().Select(m => m.Name)
                .Concat(sp.GetRequiredService<LanguageModelHost>().Catalog?.List().Select(m => m.Name) ?? [])));
        services.AddSingleton<Api.IdempotencyStore>();
        services.AddOptions<PredictionLogOptions>().Bind(configuration.GetSection(PredictionLogOptions.Section));
        services.AddSingleton<PredictionRecorder>();
        services.AddHostedService<PredictionLogPruner>();
        services.AddOptions<RetrainingOptions>().Bind(configuration.GetSection(RetrainingOptions.Section));
        services.AddHostedService<RetrainingService>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ModelHost>();
        services.AddSingleton<AdmissionGate>();
        services.AddHostedService<ReloadWatcher>();
        services.AddLanguageServing(configuration);
        // Every body bound to a type refuses members the type does not define (400 naming the field: BadRequestExceptionHandler).
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow);
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddOpenApi();
        services.AddHealthChecks().AddCheck<HealthApi.CatalogCheck>("catalog", tags: [HealthApi.ReadyTag]);
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(TenantPolicy, context =>
            {
                var tenant = ApiKeyMiddleware.Find(context);
                if (tenant is null || tenant.RequestsPerMinute == int.MaxValue)
                    return RateLimitPartition.GetNoLimiter("unlimited");
                // The limit is part of the key so a changed limit takes effect with a fresh window.
                return RateLimitPartition.GetFixedWindowLimiter($"{tenant.Id}:{tenant.RequestsPerMinute}", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = tenant.RequestsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(60);
                var tenant = ApiKeyMiddleware.Find(rejected.HttpContext);
                await Problems.TooMany(rejected.HttpContext,
                    $"The rate limit of {tenant?.RequestsPerMinute} requests per minute for this key was reached. Retry after the Retry-After delay, or ask the administrator for a higher limit.",
                    retryAfter).ExecuteAsync(rejected.HttpContext);
            };
        });
        return services;
    }

    /// <summary>
    /// Loads every model's default version now (instead of on its first request) and reports each: a
    /// server started from a registry says at once which models it can serve, and why not (e.g. an encrypted
    /// artifact whose key is missing). Never throws for a model that fails to load.
    /// </summary>
    public static async Task<IReadOnlyList<ModelWarmUp>> WarmUpAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        var host = app.Services.GetRequiredService<ModelHost>();
        var results = new List<ModelWarmUp>();
        foreach (var model in host.Catalog.List())
        {
            try
            {
                var runner = await host.GetRunner(model.Name, null, cancellationToken);
                results.Add(new ModelWarmUp(model.Name, runner?.Model.Version, runner is null ? "it has no version to serve" : null));
            }
            catch (ModelUnavailableException e)
            {
                results.Add(new ModelWarmUp(model.Name, null, e.Message));
            }
        }
        return results;
    }

    public static WebApplication MapModelServing(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ServingOptions>>().Value;
        AdminKeyPolicy.Check(options.AdminKey); // a guessable admin key stops the start, with how to make one
        TorchRuntime.EnsureLoaded();
        if (options.TorchThreads is { } threads)
            TorchRuntime.Threads = threads;
        // Opens the prediction log now (when enabled): bad Serving:PredictionLog settings stop the start, not the first request.
        app.Services.GetRequiredService<PredictionRecorder>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseHttpMetrics();
        app.UseMiddleware<ApiKeyMiddleware>();
        app.UseRateLimiter();
        app.MapHealthApi();
        app.MapMetrics();
        app.MapOpenApi();
        var v1 = app.MapGroup("/v1").RequireRateLimiting(TenantPolicy);
        v1.MapModelsApi();
        v1.MapPredictApi();
        v1.MapFeedbackApi();
        v1.MapMonitoringApi();
        v1.MapUsageApi();
        v1.MapTenantsApi();
        v1.MapCompletionsApi();
        v1.MapBillingApi();
        return app;
    }
}
