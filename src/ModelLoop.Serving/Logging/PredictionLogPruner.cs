using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ModelLoop.Serving.Logging;

/// <summary>Applies the prediction log's retention (age and size) at start-up and every Serving:PredictionLog:PruneInterval.</summary>
internal sealed class PredictionLogPruner(PredictionRecorder recorder, ILogger<PredictionLogPruner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (recorder.Log is not { } log)
            return;
        var policy = recorder.Options.Retention;
        if (policy.MaxAge is null && policy.MaxBytes is null)
            return;
        using var timer = new PeriodicTimer(recorder.Options.PruneInterval);
        do
        {
            try
            {
                var deleted = await Task.Run(() => log.Prune(policy), stoppingToken);
                if (deleted > 0)
                    logger.LogInformation("Prediction log retention deleted {Count} requests (older than {Days} days or beyond {Megabytes} MiB).",
                        deleted, recorder.Options.RetentionDays, recorder.Options.MaxMegabytes);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or IOException)
            {
                logger.LogWarning(e, "Prediction log retention failed; it runs again in {Interval}.", recorder.Options.PruneInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
