using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using ModelLoop.Contracts;

namespace ModelLoop.Serving.Tests.Api;

/// <summary>
/// Promotion and rollback in the registry reach a running server through its own poller (the registry's
/// change counter), under concurrent load, without a failed request.
/// </summary>
public sealed class RegistryHotReloadTests
{
    private static readonly float[] Item = [5f, 3f, 1f, 0f];

    [Fact]
    public async Task PromotingAVersionInTheRegistrySwitchesTheServerUnderLoadAndARollbackSwitchesBack()
    {
        using var host = new RegistryServerHost(new() { ["Serving:ReloadInterval"] = "00:00:00.050", ["Serving:MaxDelayMs"] = "5" });
        var v1 = host.Own(TestModels.Tabular(1));
        var v2 = host.Own(TestModels.Tabular(2));
        host.Register("iris", v1, null, null, "production");
        host.Register("iris", v2);
        var expected = new Dictionary<string, float[]> { ["1"] = TestModels.Reference(v1, Item), ["2"] = TestModels.Reference(v2, Item) };
        Assert.NotEqual(expected["1"], expected["2"]);
        using var client = host.Client();
        var results = new ConcurrentQueue<(HttpStatusCode Status, PredictResponse? Body)>();
        using var stop = new CancellationTokenSource();
        var v2Seen = 0;

        async Task Worker()
        {
            while (!stop.IsCancellationRequested)
            {
                var response = await client.PostAsJsonAsync("/v1/models/iris/predict?outputs=raw", new { inputs = new[] { Item } });
                var body = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<PredictResponse>() : null;
                results.Enqueue((response.StatusCode, body));
                if (body?.Version == "2" && Interlocked.Increment(ref v2Seen) >= 40)
                    await stop.CancelAsync();
            }
        }

        var workers = Enumerable.Range(0, 6).Select(_ => Task.Run(Worker)).ToArray();
        while (results.Count < 40 && !workers.Any(w => w.IsFaulted))
            await Task.Delay(10);
        host.Registry.SetAlias("iris", "production", 2, reason: "test promotion"); // only the registry: the server's poller must notice
        stop.CancelAfter(TimeSpan.FromSeconds(60)); // a server that never switches fails below instead of hanging
        await Task.WhenAll(workers);

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        var order = results.Select(r => r.Body!.Version).ToList();
        Assert.Equal("1", order[0]);
        Assert.True(v2Seen >= 40, $"the server answered {v2Seen} requests with version 2 within a minute of the promotion; expected 40");
        // Once a request saw version 2, no later request went back to version 1 (beyond those already in flight).
        Assert.DoesNotContain("1", order.Skip(order.IndexOf("2") + 6 * 2));
        // Each answer is the output of the version it names.
        Assert.All(results, r => AssertClose(expected[r.Body!.Version], r.Body.Predictions[0].Outputs!));

        host.Registry.Rollback("iris", "production", reason: "test rollback");
        var version = "2";
        for (var attempt = 0; attempt < 600 && version != "1"; attempt++) // the poller runs every 50 ms: this gives it 30 s on a busy machine
        {
            var response = await client.PostAsJsonAsync("/v1/models/iris/predict?outputs=raw", new { inputs = new[] { Item } });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
            AssertClose(expected[body.Version], body.Predictions[0].Outputs!);
            version = body.Version;
            if (version != "1")
                await Task.Delay(50);
        }
        Assert.Equal("1", version);
        // The replaced version is drained and released once nothing points at it.
        for (var attempt = 0; attempt < 600 && host.Host.Loaded.Any(m => m.Version == "2" && !m.IsDisposed); attempt++)
            await Task.Delay(50);
        Assert.DoesNotContain(host.Host.Loaded, m => m.Version == "2" && !m.IsDisposed);
    }

    // A batch of several items and the reference's batch of one may round differently in the last bits.
    private static void AssertClose(float[] expected, IReadOnlyList<float> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (var i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], actual[i], 4);
    }
}
