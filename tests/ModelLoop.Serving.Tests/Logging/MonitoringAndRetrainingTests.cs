using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelLoop.Contracts;
using ModelLoop.Loop;
using ModelLoop.Monitoring.Live;
using ModelLoop.Monitoring.Retraining;
using ModelLoop.Serving.Logging;
using ModelLoop.Training;

namespace ModelLoop.Serving.Tests.Logging;

/// <summary>The feedback stage inside the server: the monitoring endpoint and the background retraining policy.</summary>
public sealed class MonitoringAndRetrainingTests
{
    // y = "yes" when x > 1; x uniform in [0, 2) for training, shifted by `shift` in live traffic.
    private static string WriteCsv(string folder)
    {
        var random = new Random(6);
        var lines = new List<string> { "x,colour,label" };
        for (var i = 0; i < 400; i++)
        {
            var x = random.NextDouble() * 2;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{x:F3},{(i % 2 == 0 ? "red" : "blue")},{(x > 1 ? "yes" : "no")}"));
        }
        var path = Path.Combine(folder, "train.csv");
        File.WriteAllLines(path, lines);
        return path;
    }

    private static RegistryServerHost Serve() => new(new()
    {
        ["Serving:PredictionLog:Enabled"] = "true",
        ["Serving:PredictionLog:Inputs"] = "Raw",
    });

    private static void Train(RegistryServerHost host) => TrainingJob.Run(new TrainingConfig
    {
        Model = new ModelConfig { Zoo = "mlp", Hidden = [8] },
        Data = new DataConfig { Source = WriteCsv(host.Folder), Label = "label", SplitSeed = 2 },
        Optimizer = new OptimizerConfig { LearningRate = 0.05 },
        Epochs = 15,
        BatchSize = 16,
        Seed = 3,
    }, new TrainingJobOptions
    {
        OutputDirectory = Path.Combine(host.Folder, "run"),
        Home = host.Home,
        Track = false,
        Progress = ProgressMode.Silent,
        RegisterAs = "m",
        Aliases = ["production"],
    });

    // Sends `count` one-record requests with x = shift + uniform [0, 2) and, when `label`, the true label as feedback.
    private static async Task Traffic(HttpClient client, int count, double shift, bool label, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var x = shift + random.NextDouble() * 2;
            var response = await client.PostAsJsonAsync("/v1/models/m/predict", new { record = new { x, colour = i % 2 == 0 ? "red" : "blue" } });
            response.EnsureSuccessStatusCode();
            if (!label)
                continue;
            var id = (await response.Content.ReadFromJsonAsync<PredictResponse>())!.RequestId;
            (await client.PostAsJsonAsync("/v1/models/m/feedback", new { requestId = id, label = x > 1 ? "yes" : "no" })).EnsureSuccessStatusCode();
        }
    }

    [Fact]
    public async Task TheMonitoringEndpointShowsTheAdminTheWindowsAndAlarmsAndRefusesTenants()
    {
        using var host = Serve();
        Train(host);
        using var admin = host.Client();
        var created = await (await admin.PostAsJsonAsync("/v1/admin/tenants", new CreateTenantRequest("acme", ["m"], 100_000, null))).Content.ReadFromJsonAsync<CreatedApiKey>();
        using var tenant = host.Client(created!.Key);
        await Traffic(tenant, 200, shift: 0, label: true, seed: 1);
        await Traffic(tenant, 100, shift: 3, label: true, seed: 2);

        var report = await admin.GetFromJsonAsync<MonitoringReport>("/v1/models/m/monitoring?window=100", MonitoringReport.Json);
        var refused = await tenant.GetAsync("/v1/models/m/monitoring");
        var bad = await admin.GetAsync("/v1/models/m/monitoring?since=yesterday");
        var unknown = await admin.GetAsync("/v1/models/nope/monitoring");

        Assert.Equal(300, report!.Requests);
        Assert.Equal(300, report.Labelled);
        Assert.Equal([100L, 200, 300], report.Windows.Select(w => w.LastItem));
        Assert.False(report.Windows[0].Alarm);
        Assert.True(report.Windows[2].Drift.Alarm);
        Assert.Contains(report.Windows[2].Drift.Features, c => c.Name == "x" && c.Drifted);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("since", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task TheBackgroundPolicyRetrainsOnDriftFromTheLoggedFeedbackOnceAndThenWaitsForItsCoolDown()
    {
        using var host = Serve();
        Train(host);
        using var admin = host.Client();
        await Traffic(admin, 150, shift: 0, label: true, seed: 1);
        await Traffic(admin, 250, shift: 1, label: true, seed: 2);
        var service = host.Services.GetServices<IHostedService>().OfType<RetrainingService>().Single();
        var log = host.Services.GetRequiredService<PredictionRecorder>().Log!;
        var policy = new RetrainingPolicy { CoolDownHours = 24, MinHoldout = 20, Replay = 200, FineTuneEpochs = 5 };
        var exports = Path.Combine(host.Folder, "exports");

        var first = service.Tick(host.Home, log, policy, exports);
        var second = service.Tick(host.Home, log, policy, exports);

        var outcome = Assert.Single(first);
        Assert.Equal(RetrainTrigger.DriftAlarm, outcome.Job.Trigger);
        Assert.Contains(outcome.Job.State, new[] { RetrainingJobState.Promoted, RetrainingJobState.Rejected });
        Assert.Empty(second); // the cool-down holds the next job back
        var export = Assert.Single(Directory.GetDirectories(exports));
        Assert.True(File.Exists(Path.Combine(export, "train.csv")));
        var challenger = host.Registry.GetVersion("m", outcome.Job.ChallengerVersion!.Value);
        Assert.Equal(outcome.Job.Key, challenger.Tags[RetrainingJob.JobTag]);
    }
}
