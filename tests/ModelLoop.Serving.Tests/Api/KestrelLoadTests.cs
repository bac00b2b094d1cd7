using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ModelLoop.Serving.Tests.Api;

/// <summary>The real server (Kestrel on loopback) under concurrent load.</summary>
public sealed class KestrelLoadTests
{
    [Fact]
    public async Task ConcurrentClientsAllGetAnswersFromKestrel()
    {
        using var host = new ServerHost();
        await using var app = await StartKestrel(host, new() { ["Serving:RequireApiKeys"] = "false" });
        using var http = new HttpClient { BaseAddress = Address(app) };

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(async worker =>
        {
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 25; i++)
                statuses.Add((await http.PostAsJsonAsync("/v1/models/iris/predict", new { input = new[] { worker, i, 1f, 2f } })).StatusCode);
            return statuses;
        }));

        Assert.All(responses.SelectMany(s => s), s => Assert.Equal(HttpStatusCode.OK, s));
    }

    [Fact]
    public async Task OverloadBeyondTheQueueBoundIsShedWith429AndHealthStillAnswers()
    {
        using var host = new ServerHost();
        // A convolution heavy enough (~0.4 G multiply-adds per request) that 64 requests arriving together
        // cannot all fit in a queue of 2 on any CPU.
        TorchSharp.torch.random.manual_seed(4);
        using (var slow = new Modeling.Sequential(1, 32, 32) { new Modeling.Layers.Conv2D(32, 3), new Modeling.Layers.Conv2D(32, 3), new Modeling.Layers.Flatten(), new Modeling.Layers.Dense(2) })
            TestModels.WriteRun(Path.Combine(host.ModelsPath, "slow"), slow);
        await using var app = await StartKestrel(host, new()
        {
            ["Serving:RequireApiKeys"] = "false",
            ["Serving:QueueCapacity"] = "2",
            ["Serving:MaxBatchSize"] = "1",
        });
        using var http = new HttpClient { BaseAddress = Address(app) };
        var pixels = Convert.ToBase64String(new byte[32 * 32]);
        var body = new { images = Enumerable.Repeat(pixels, 50).ToArray() };

        var load = Enumerable.Range(0, 64).Select(_ => http.PostAsJsonAsync("/v1/models/slow/predict", body)).ToArray();
        var health = await http.GetAsync("/health/live");
        var ready = await http.GetAsync("/health/ready");
        var responses = await Task.WhenAll(load);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"got {(int)r.StatusCode}"));
        var shed = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(shed);
        Assert.All(shed, r => Assert.NotNull(r.Headers.RetryAfter));
        await BadInputTests.AssertProblem(shed[0], 429, "queue");
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
    }

    internal static async Task<WebApplication> StartKestrel(ServerHost host, Dictionary<string, string?> settings)
    {
        var app = ServingApp.Build(["--urls", "http://127.0.0.1:0"], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Serving:ModelsPath"] = host.ModelsPath,
                ["Serving:DatabasePath"] = Path.Combine(Path.GetDirectoryName(host.DatabasePath)!, "kestrel.db"),
                ["Serving:TorchThreads"] = "1",
            }.Concat(settings)));
        await app.StartAsync();
        return app;
    }

    internal static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
