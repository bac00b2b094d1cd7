using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelLoop.Monitoring.Logging;
using ModelLoop.Monitoring.Retraining;
using ModelLoop.Optimization.Tuning;
using ModelLoop.Registry;
using ModelLoop.Serving;
using ModelLoop.Serving.Catalog;
using ModelLoop.Serving.Logging;
using ModelLoop.Serving.Tenants;
using ModelLoop.Storage;
using ModelLoop.Tracking;

namespace ModelLoop.Dashboard;

/// <summary>
/// The stores the pages read, opened on first use and never created by looking: a home without runs.db shows "no runs"
/// rather than gaining an empty store. Inside <c>modelloop serve</c> the registry and the prediction log are the server's own.
/// </summary>
internal sealed class DashboardStores(IServiceProvider services, IOptions<DashboardOptions> options)
{
    private RunStore? _runs;
    private ModelRegistry? _registry;
    private PredictionLog? _log;

    public string Home { get; } = ModelLoopHome.Resolve(options.Value.Home);

    /// <summary>The admin key: the dashboard's own, else the server's (when mounted by modelloop serve).</summary>
    public string? AdminKey => options.Value.AdminKey ?? services.GetService<IOptions<ServingOptions>>()?.Value.AdminKey;

    public bool ManagesKeys => options.Value.ManagesKeys;

    public RunStore? Runs => _runs ??= File.Exists(Path.Combine(Home, "runs.db")) ? RunStore.OpenExisting(Home) : null;

    public ModelRegistry? Registry => _registry ??= services.GetService<IModelCatalog>() is RegistryCatalog served ? served.Registry
        : File.Exists(Path.Combine(Home, "registry.db")) ? ModelRegistry.OpenExisting(Home) : null;

    public StudyStorage? Studies => StudyStorage.OpenExisting(StudyStorage.DefaultPath(Home));

    public RetrainingStore? Retraining => File.Exists(Path.Combine(Home, "retraining.db")) ? new RetrainingStore(Home) : null;

    /// <summary>The server's prediction log when it logs; else the one next to its database, when there is one.</summary>
    public PredictionLog? PredictionLog => _log ??= services.GetService<PredictionRecorder>()?.Log
        ?? PredictionLog.OpenExisting(PredictionLog.PathNextTo(services.GetRequiredService<IOptions<ServingOptions>>().Value.DatabasePath));

    /// <summary>The model names a user may see: every registered model for the admin, the granted ones for a tenant.</summary>
    public IReadOnlyList<RegisteredModel> VisibleModels(DashboardUser user, TenantStore tenants)
    {
        if (Registry is not { } registry)
            return [];
        var models = registry.ListModels();
        if (user.IsAdmin)
            return models;
        var tenant = tenants.Find(user.Id);
        return tenant is null ? [] : models.Where(m => tenant.IsGranted(m.Name)).ToList();
    }
}
