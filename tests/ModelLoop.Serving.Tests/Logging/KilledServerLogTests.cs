using ModelLoop.Monitoring.Logging;

namespace ModelLoop.Serving.Tests.Logging;

/// <summary>The server process killed (SIGKILL) under load: every answered prediction is in the prediction log.</summary>
public sealed class KilledServerLogTests
{
    [Fact]
    public async Task EveryAcknowledgedPredictionIsLoggedAfterTheServerIsKilled()
    {
        using var host = new ServerHost(); // only its models folder is used; the server is a child process
        var folder = Path.GetDirectoryName(host.DatabasePath)!;
        var logPath = Path.Combine(folder, "killed-predictions.db");
        using var child = ServerProcess.Start(host.ModelsPath, Path.Combine(folder, "killed.db"),
            "--Serving:PredictionLog:Enabled=true", $"--Serving:PredictionLog:Path={logPath}", "--Serving:PredictionLog:Inputs=Raw");
        var address = await ServerProcess.ReadAddress(child);
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        const int clients = 8;

        var (acknowledged, failure) = await ServerProcess.KillUnderLoad(child, http, clients, killAfter: 150);

        Assert.Null(failure);
        // A server that died or never answered would leave nothing acknowledged and nothing logged, which the checks below accept.
        Assert.True(acknowledged.Count >= 150, $"Only {acknowledged.Count} requests were answered before the server went away; the kill was meant to come after 150.");
        var log = PredictionLog.OpenExisting(logPath)!;
        Assert.Equal("ok", log.IntegrityCheck());
        var logged = log.Read("iris").ToDictionary(p => p.RequestId);
        var missing = acknowledged.Where(id => !logged.ContainsKey(id)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged.Count} answered predictions are not in the log, e.g. {missing.FirstOrDefault()}.");
        Assert.InRange(logged.Count, acknowledged.Count, acknowledged.Count + clients); // in flight: committed but unanswered
        Assert.All(acknowledged, id => Assert.Equal([1f, 2f, 3f, 4f], logged[id].Items[0].InputValues!));
    }
}
