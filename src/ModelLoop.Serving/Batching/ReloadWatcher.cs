using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ModelLoop.Serving.Batching;

/// <summary>Polls the catalog every <see cref="ServingOptions.ReloadInterval"/> so a moved alias is served by its new version (hot reload).</summary>
internal sealed class ReloadWatcher(ModelHost host, IOptions<ServingOptions> options, ILogger<ReloadWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReloadInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await host.Refresh(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Polling the model catalog failed; serving the versions loaded until the next poll.");
            }
        }
    }
}
