using System.Text.Json;
using ModelLoop.Artifacts;
using ModelLoop.Monitoring.Drift;
using ModelLoop.Monitoring.Live;
using ModelLoop.Monitoring.Logging;

namespace ModelLoop.Monitoring.Tests.Live;

public sealed class LiveMonitorTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-live-monitor-");
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    // A classifier with one numeric feature "x" ~ N(0, 1) in its reference and two classes predicted half and half.
    private static ReferenceProfile Reference(double accuracy = 0.9)
    {
        var random = new Random(1);
        var sample = Enumerable.Range(0, 1000).Select(_ => Normal(random)).Order().ToArray();
        return new ReferenceProfile
        {
            Rows = 1000,
            Features = [new FeatureReference { Name = "x", Kind = FeatureKind.Numeric, Sample = sample, Mean = 0, StandardDeviation = 1 }],
            PredictedClassFrequencies = [0.5, 0.5],
            Accuracy = accuracy,
        };
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    // Requests of one item each: x ~ N(shift, 1); the predicted class alternates.
    private static List<PredictionRecord> Requests(int count, double shift, string version, int offset, int seed = 2)
    {
        var random = new Random(seed + offset);
        return Enumerable.Range(offset, count).Select(i =>
        {
            var predicted = i % 2;
            return new PredictionRecord
            {
                RequestId = $"r{i}",
                TenantId = "acme",
                Model = "m",
                Version = version,
                Info = new LoggedModelInfo(ModelTask.Classification, 2, 2, ["no", "yes"], null),
                TimeUtc = Start.AddSeconds(i),
                Items = [new ItemRecord(predicted == 0 ? [2f, 0f] : [0f, 2f])
                {
                    Monitored = new MonitoredItem { Numeric = new Dictionary<string, double?> { ["x"] = Normal(random) + shift }, PredictedClass = predicted },
                }],
            };
        }).ToList();
    }

    // Logs the requests, then feedback for a seeded share of them: the true class is the predicted one with probability `correct`.
    private PredictionLog Log(IEnumerable<PredictionRecord> records, double correct = 0.9, double labelled = 0.5)
    {
        var log = PredictionLog.Open(Path.Combine(_folder.FullName, "log.db"));
        var list = records.ToList();
        log.Append(list);
        var random = new Random(3);
        foreach (var record in list)
        {
            if (random.NextDouble() >= labelled)
                continue;
            var predicted = record.Items[0].Monitored!.PredictedClass!.Value;
            log.RecordFeedback(record.RequestId, 0, new ItemFeedback { Class = random.NextDouble() < correct ? predicted : 1 - predicted });
        }
        return log;
    }

    [Fact]
    public void CleanTrafficRaisesNoAlarmAndAShiftedFeatureRaisesItInTheFirstWindowThatHoldsEnoughOfIt()
    {
        var log = Log(Requests(1000, 0, "1", 0).Concat(Requests(400, 1.0, "1", 1000)));
        var monitor = new LiveMonitor(_ => Reference(), new MonitoringOptions { WindowSize = 200, Step = 100 });

        var report = monitor.Evaluate(log, "m");

        Assert.Equal(1400, report.Items);
        Assert.Equal(13, report.Windows.Count); // windows end at 200, 300, … 1400
        Assert.All(report.Windows.Where(w => w.LastItem <= 1000), w => Assert.False(w.Alarm, $"false alarm in window ending at {w.LastItem}"));
        var first = report.Windows.First(w => w.Alarm);
        Assert.InRange(first.LastItem - 1000, 1, 200);
        Assert.Contains(first.Drift.Features, c => c.Name == "x" && c.Drifted);
        Assert.All(report.Windows.Where(w => w.FirstItem > 1000), w => Assert.True(w.Drift.Alarm));
    }

    [Fact]
    public void LiveAccuracyComesFromFeedbackAndAnAccuracyBelowTheReferenceIsAnAlarmOnItsOwn()
    {
        var log = Log(Requests(400, 0, "1", 0), correct: 0.6, labelled: 1.0);
        var monitor = new LiveMonitor(_ => Reference(accuracy: 0.9), new MonitoringOptions { WindowSize = 200, Step = 200 });

        var report = monitor.Evaluate(log, "m");

        Assert.Equal(400, report.Labelled);
        var version = Assert.Single(report.Versions);
        Assert.InRange(version.Accuracy!.Interval.Estimate, 0.5, 0.7);
        Assert.Equal(0.9, version.ReferenceAccuracy);
        Assert.All(report.Windows, w =>
        {
            Assert.False(w.Drift.Alarm); // the inputs did not move…
            Assert.True(w.AccuracyAlarm); // …but the answers got worse
            Assert.True(w.Alarm);
        });
    }

    [Fact]
    public void EachVersionIsJudgedAgainstItsOwnReferenceAndVersionsWithoutOneAreListed()
    {
        var log = Log(Requests(300, 0, "1", 0).Concat(Requests(300, 3.0, "2", 300)).Concat(Requests(200, 0, "3", 600)));
        // Version 2 was trained on data centred at 3, so its traffic is not a shift for it.
        var shiftedReference = Reference() with
        {
            Features = [Reference().Features[0] with { Sample = Reference().Features[0].Sample!.Select(v => v + 3).ToArray(), Mean = 3 }],
        };
        var monitor = new LiveMonitor(v => v switch { "1" => Reference(), "2" => shiftedReference, _ => null }, new MonitoringOptions { WindowSize = 100, Step = 100 });

        var report = monitor.Evaluate(log, "m");

        Assert.Equal(["3"], report.Unmonitored);
        Assert.Equal(6, report.Windows.Count);
        Assert.All(report.Windows, w => Assert.False(w.Drift.Alarm));
        Assert.Equal(["1", "1", "1", "2", "2", "2"], report.Windows.Select(w => w.Version));
        Assert.Equal(["1", "2", "3"], report.Versions.Select(v => v.Version));
    }

    [Fact]
    public void APollingCallerGetsOnlyTheWindowsAfterTheLastItemItSaw()
    {
        var log = Log(Requests(600, 0, "1", 0));
        var monitor = new LiveMonitor(_ => Reference(), new MonitoringOptions { WindowSize = 200, Step = 100 });

        var all = monitor.Evaluate(log, "m");
        var newer = monitor.Evaluate(log, "m", afterItem: 400);

        Assert.Equal([200L, 300, 400, 500, 600], all.Windows.Select(w => w.LastItem));
        Assert.Equal([500L, 600], newer.Windows.Select(w => w.LastItem));
        Assert.Equal(all.Windows[^1].Drift.Score, newer.Windows[^1].Drift.Score);
    }

    [Fact]
    public void TheReportIsWrittenAsJsonTwoPlotsAndAnHtmlPageThatListTheAlarms()
    {
        var log = Log(Requests(400, 0, "1", 0).Concat(Requests(200, 1.5, "1", 400)));
        var report = new LiveMonitor(_ => Reference(), new MonitoringOptions { WindowSize = 200, Step = 100 }).Evaluate(log, "m");

        var files = MonitoringReportWriter.Write(report, Path.Combine(_folder.FullName, "report"), [new MonitoringEvent(400, "shift begins")]);

        using var json = JsonDocument.Parse(File.ReadAllText(files.Json));
        Assert.Equal(report.Windows.Count, json.RootElement.GetProperty("windows").GetArrayLength());
        foreach (var png in new[] { files.DriftPlot, files.FeaturePlot })
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
        var html = File.ReadAllText(files.Html);
        Assert.Contains("class=\"alarm\"", html, StringComparison.Ordinal);
        Assert.Contains("shift begins at 400", html, StringComparison.Ordinal);
        Assert.Contains("data:image/png;base64,", html, StringComparison.Ordinal);
    }

    [Fact]
    public void BadWindowSettingsAreRefusedNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => new LiveMonitor(_ => null, new MonitoringOptions { WindowSize = 100, Step = 200 }));

        Assert.Contains("Step", error.Message, StringComparison.Ordinal);
    }
}
