using ModelLoop.Serving.Metering;

namespace ModelLoop.Serving.Tests.Metering;

/// <summary>The server process killed (SIGKILL) under load: every answered request is in the usage database.</summary>
public sealed class KilledServerTests
{
    [Fact]
    public async Task EveryAcknowledgedRequestIsCountedAfterTheServerIsKilled()
    {
        using var host = new ServerHost(); // only its models folder is used; the server is a child process
        var database = Path.Combine(Path.GetDirectoryName(host.DatabasePath)!, "killed.db");
        using var child = ServerProcess.Start(host.ModelsPath, database);
        var address = await ServerProcess.ReadAddress(child);
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        const int clients = 8;

        var (acknowledged, failure) = await ServerProcess.KillUnderLoad(child, http, clients, killAfter: 150);

        Assert.Null(failure);
        // A server that died or never answered would leave 0 acknowledged and 0 counted, which the range below accepts.
        Assert.True(acknowledged.Count >= 150, $"Only {acknowledged.Count} requests were answered before the server went away; the kill was meant to come after 150.");
        var counted = UsageReport.Read(database).Sum(r => r.Requests);
        Assert.InRange(counted, acknowledged.Count, acknowledged.Count + clients); // requests in flight may be committed but unanswered
    }
}
