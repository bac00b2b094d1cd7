using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelLoop.Serving.Catalog;
using ModelLoop.Storage;

namespace ModelLoop.Serving.Api;

/// <summary>/health/live (the process answers) and /health/ready (the catalog lists at least one model and the database opens).</summary>
internal static class HealthApi
{
    public const string ReadyTag = "ready";

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        return app;
    }

    internal sealed class CatalogCheck(IModelCatalog catalog, SqliteDatabase database) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                using var connection = database.Open();
                var count = catalog.List().Count;
                return Task.FromResult(count > 0
                    ? HealthCheckResult.Healthy($"{count} models")
                    : HealthCheckResult.Unhealthy("The catalog lists no models; add run folders (written by `modelloop train --out`, each with an artifact/) to the models folder, or register a model in the registry (`modelloop models register`)."));
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy(e.Message));
            }
        }
    }
}
