using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ModelLoop.Artifacts;
using ModelLoop.Contracts;
using ModelLoop.Serving.Batching;
using ModelLoop.Serving.Catalog;
using ModelLoop.Serving.Tenants;

namespace ModelLoop.Serving.Api;

/// <summary>GET /v1/models (the models the caller is granted) and GET /v1/models/{name}?version= (schema and metadata).</summary>
internal static class ModelsApi
{
    public static RouteGroupBuilder MapModelsApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/models", List).WithName("ListModels");
        v1.MapGet("/models/{name}", Metadata).WithName("GetModel");
        return v1;
    }

    private static Ok<ModelSummary[]> List(HttpContext context, ModelHost host)
    {
        var tenant = ApiKeyMiddleware.Current(context);
        return TypedResults.Ok(host.Catalog.List().Where(m => tenant.IsGranted(m.Name))
            .Select(m => new ModelSummary(m.Name, m.Versions, m.Aliases)).ToArray());
    }

    private static async Task<Results<Ok<ModelMetadata>, ProblemHttpResult>> Metadata(string name, string? version, HttpContext context, ModelHost host, CancellationToken cancellationToken)
    {
        var tenant = ApiKeyMiddleware.Current(context);
        ModelRunner? runner;
        try
        {
            runner = tenant.IsGranted(name) ? await host.GetRunner(name, version, cancellationToken) : null;
        }
        catch (ModelUnavailableException e)
        {
            return Problems.Unavailable(context, e);
        }
        if (runner is null)
            return UnknownModel(host, tenant, name, version);
        return TypedResults.Ok(Describe(runner.Model));
    }

    private static ModelMetadata Describe(ServableModel model)
    {
        var schema = model.Schema;
        var kind = schema.Kind == Modeling.InputKind.TokenIds ? ModelInputKind.TokenIds : ModelInputKind.Float;
        var package = model.Package;
        var classification = package.Task == ModelTask.Classification;
        var labels = Enumerable.Range(0, classification ? package.ClassCount : package.OutputWidth)
            .Select(i => classification ? package.Label(i) : package.OutputName(i)).ToArray();
        return new ModelMetadata(model.Name, model.Version, new ModelInput(schema.Shape, kind, schema.FeatureNames, schema.RawRecords), model.OutputShape,
            model.Batching.MaxBatchSize, model.Batching.MaxDelay.TotalMilliseconds, PredictInput.Example(schema))
        {
            Task = classification ? PredictionTask.Classification : PredictionTask.Regression,
            Labels = labels,
        };
    }

    /// <summary>404 naming what the caller may use instead (only models it is granted).</summary>
    public static ProblemHttpResult UnknownModel(ModelHost host, Tenant tenant, string name, string? version)
    {
        var models = host.Catalog.List().Where(m => tenant.IsGranted(m.Name)).ToList();
        var known = models.FirstOrDefault(m => m.Name == name);
        if (known is not null && version is not null)
            return Problems.NotFound($"Model '{name}' has no version or alias '{version}'. Use one of: {string.Join(", ", known.Versions.Concat(known.Aliases.Keys).Distinct())}, or omit ?version= for the default.");
        return Problems.NotFound($"No model '{name}' is available to this API key. Available: {(models.Count == 0 ? "none (ask the administrator for a grant)" : string.Join(", ", models.Select(m => m.Name)))}. GET /v1/models lists them.");
    }
}
