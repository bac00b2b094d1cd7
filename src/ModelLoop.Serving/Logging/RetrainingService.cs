using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelLoop.Monitoring.Live;
using ModelLoop.Monitoring.Retraining;
using ModelLoop.Registry;
using ModelLoop.Serving.Catalog;

namespace ModelLoop.Serving.Logging;

/// <summary>
/// `serve --retrain`: every <see cref="RetrainingOptions.Interval"/>, for each registered model, judges the production
/// version's logged traffic since it was promoted (<see cref="LiveMonitor"/>), asks the policy, and when it says so
/// exports the labelled feedback and runs a retraining job (<see cref="FeedbackRetrainer"/>) — one job at a time, on this
/// service's own thread, so serving continues. A promotion moves the registry's alias; <see cref="Batching.ReloadWatcher"/>
/// then switches the served version. An unfinished job (the server was killed) resumes on the next tick.
/// </summary>
internal sealed class RetrainingService(IOptions<RetrainingOptions> options, IOptions<ServingOptions> serving, IModelCatalog catalog, PredictionRecorder recorder,
    ILogger<RetrainingService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
            return;
        if (catalog is not RegistryCatalog registry || recorder.Log is not { } log)
        {
            logger.LogWarning("Background retraining is on but {Missing}; it stays idle.", catalog is not RegistryCatalog ? "the server serves run folders, not a registry" : "the prediction log is off (--log-predictions)");
            return;
        }
        var home = registry.Registry.Home;
        var policy = settings.PolicyPath is { } path ? RetrainingPolicy.Load(path) : new RetrainingPolicy();
        var exports = settings.ExportFolder ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(serving.Value.DatabasePath)) ?? ".", "feedback-exports");
        using var timer = new PeriodicTimer(settings.Interval);
        do
        {
            try
            {
                await Task.Run(() => Tick(home, log, policy, exports), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Background retraining failed this round; it tries again in {Interval}.", settings.Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One round over every registered model; returns the jobs it ran.</summary>
    internal IReadOnlyList<RetrainingOutcome> Tick(string home, Monitoring.Logging.PredictionLog log, RetrainingPolicy policy, string exports)
    {
        var registry = ModelRegistry.OpenExisting(home);
        var store = FeedbackRetrainer.Store(home);
        var outcomes = new List<RetrainingOutcome>();
        foreach (var model in registry.ListModels().Select(m => m.Name))
        {
            var last = store.Latest(model);
            var (production, testAccuracy) = FeedbackRetrainer.Production(registry, model);
            // The production version's traffic since it went live: older traffic was another model's.
            var since = registry.History(model, "production").Where(h => h.ToVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) == production)
                .Select(h => (DateTimeOffset?)h.AtUtc).DefaultIfEmpty(null).Max();
            var report = LiveMonitor.ForRegistry(registry, model).Evaluate(log, model, since);
            var decision = last is { IsFinished: false }
                ? new RetrainDecision(true, last.Trigger, $"Resuming job {last.Id} ({last.State}).")
                : policy.Decide(FeedbackRetrainer.Signals(report, production, testAccuracy, DateTimeOffset.UtcNow), last);
            if (!decision.Retrain)
                continue;
            logger.LogInformation("Retraining {Model}: {Reason}", model, decision.Reason);
            var (_, outcome) = FeedbackRetrainer.Run(log, model, policy, decision, exports, since, home, text => logger.LogInformation("{Model}: {Step}", model, text));
            logger.LogInformation("Retraining job {Job} of {Model}: {State}. {Decision}", outcome.Job.Id, model, outcome.Job.State, outcome.Job.Decision);
            outcomes.Add(outcome);
        }
        return outcomes;
    }
}
