using ModelLoop.Monitoring.Logging;
using ModelLoop.Monitoring.Retraining;
using ModelLoop.Registry;
using ModelLoop.Storage;

namespace ModelLoop.Monitoring.Live;

/// <summary>
/// The feedback stage's glue, shared by the server's background policy (`serve --retrain`), `modelloop retrain NAME` and the
/// demo: what monitoring knows (<see cref="Signals"/>) → the policy's decision → the labelled feedback exported from the
/// prediction log as a dataset (newest share held out) → <see cref="RetrainingJob"/> → the gate.
/// </summary>
public static class FeedbackRetrainer
{
    /// <summary>
    /// The policy's inputs from a monitoring report of the production version: the newest drift alarm, live accuracy on
    /// every labelled item since <paramref name="since"/>, the production package's test accuracy, and the labels since the last job.
    /// </summary>
    public static RetrainSignals Signals(MonitoringReport report, string productionVersion, double? championTestAccuracy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(report);
        var windows = report.Windows.Where(w => w.Version == productionVersion).ToList();
        var version = report.Versions.FirstOrDefault(v => v.Version == productionVersion);
        return new RetrainSignals
        {
            Now = now,
            DriftAlarmAt = windows.LastOrDefault(w => w.Drift.Alarm)?.End,
            LiveAccuracy = version?.Accuracy,
            ChampionTestAccuracy = championTestAccuracy,
            LabelsSinceLastJob = (int)Math.Min(int.MaxValue, version?.Accuracy?.Total ?? 0),
        };
    }

    /// <summary>
    /// Exports the model's labelled feedback logged in [<paramref name="since"/>, now) into a new folder under
    /// <paramref name="exportRoot"/> (the newest <see cref="RetrainingPolicy.HoldoutFraction"/> held out) and runs a
    /// retraining job on it: challenger, comparison on the held-out feedback and the original test set, gated promotion.
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing labelled to export (the message says why), or too small a holdout.</exception>
    public static (FeedbackExportResult Export, RetrainingOutcome Outcome) Run(PredictionLog log, string model, RetrainingPolicy policy, RetrainDecision decision,
        string exportRoot, DateTimeOffset? since = null, string? home = null, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(decision);
        var output = Path.Combine(exportRoot, $"feedback-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss-fff}");
        var export = FeedbackExporter.Export(log, new FeedbackExportOptions
        {
            Output = output,
            Model = model,
            Since = since,
            HoldoutNewest = policy.HoldoutFraction,
        });
        progress?.Invoke($"Exported {export.TrainItems:N0} labelled items to train on and {export.HoldoutItems:N0} held out (dataset {export.Manifest.Hash[..12]}) → {export.Output}");
        var outcome = RetrainingJob.Run(new RetrainingRequest
        {
            Model = model,
            Feedback = [export.Train],
            Holdout = export.Holdout,
            Policy = policy,
            Trigger = decision.Trigger ?? RetrainTrigger.Manual,
            Reason = decision.Reason,
            Home = home,
        }, progress);
        return (export, outcome);
    }

    /// <summary>The production version (else the latest) of <paramref name="model"/> and its recorded test accuracy.</summary>
    public static (string Version, double? TestAccuracy) Production(ModelRegistry registry, string model)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var version = registry.GetDefaultVersion(model);
        return (version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            version.Metrics.TryGetValue("test_accuracy", out var accuracy) ? accuracy : null);
    }

    /// <summary>The retraining store of a home folder.</summary>
    public static RetrainingStore Store(string? home) => new(ModelLoopHome.Resolve(home));
}
