using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using ModelLoop.Contracts;

namespace ModelLoop.Serving.Tests.Api;

public sealed class HotReloadTests
{
    [Fact]
    public async Task MovingTheProductionAliasSwitchesVersionsWithoutFailingRequestsInFlight()
    {
        using var server = new ServerHost(new() { ["Serving:MaxDelayMs"] = "5" });
        using var client = server.Client();
        var results = new ConcurrentQueue<(HttpStatusCode Status, string? Version)>();
        using var stop = new CancellationTokenSource();
        var v2Seen = 0;

        async Task Worker()
        {
            while (!stop.IsCancellationRequested)
            {
                var response = await client.PostAsJsonAsync("/v1/models/iris/predict", new { inputs = new[] { new[] { 5f, 3f, 1f, 0f } } });
                var version = response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<PredictResponse>())!.Version : null;
                results.Enqueue((response.StatusCode, version));
                if (version == "2" && Interlocked.Increment(ref v2Seen) >= 40)
                    await stop.CancelAsync();
            }
        }

        var workers = Enumerable.Range(0, 6).Select(_ => Task.Run(Worker)).ToArray();
        while (results.Count < 40)
            await Task.Delay(10);
        var version1 = Assert.Single(server.Host.Loaded, m => m.Version == "1");
        server.Catalog.SetAlias("iris", "production", "2");
        await server.Host.Refresh(default);
        await Task.WhenAll(workers);

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Contains(results, r => r.Version == "1");
        Assert.Contains(results, r => r.Version == "2");
        // Once a request saw version 2, no later request went back to version 1.
        var order = results.Select(r => r.Version).ToList();
        Assert.DoesNotContain("1", order.Skip(order.IndexOf("2") + 6 * 2));
        while (!version1.IsDisposed)
            await Task.Delay(10);
        // A request that resolved just before the switch may have reloaded version 1; the next poll retires it.
        await server.Host.Refresh(default);
        Assert.DoesNotContain(server.Host.Loaded, m => m.Version == "1" && !m.IsDisposed);
    }
}
