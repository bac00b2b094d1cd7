using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelLoop.Artifacts;
using ModelLoop.Client;
using ModelLoop.Contracts;
using ModelLoop.Data;
using ModelLoop.Evaluation;
using ModelLoop.IO;
using ModelLoop.Loop;
using ModelLoop.Monitoring.Live;
using ModelLoop.Monitoring.Logging;
using ModelLoop.Monitoring.Retraining;
using ModelLoop.Registry;
using ModelLoop.Serving;
using static TorchSharp.torch;

namespace ModelLoop.Demo;

/// <summary>
/// The feedback half of the demo, after <see cref="DemoLoop"/> put a model in production: the real server in-process
/// (Kestrel on loopback, the registry's production version, the prediction log on) → simulated clients on the SDK send
/// Fashion-MNIST test images as PNG files, then, midway, the same kind of images under a realistic corruption
/// (<see cref="FeedbackDemoOptions.Shift"/>) → the monitor judges a window every few requests and raises the drift alarm →
/// users label a share of the answers through the feedback API → once enough labels came back the policy retrains
/// (fine-tuning on the exported feedback plus a replay of the training images) → the gate promotes only if better on
/// the held-out recent feedback and not worse on the original test set → the server hot-reloads → live accuracy on the
/// shifted traffic recovers. Every stage is the product's own code; the demo only drives it and keeps the timeline.
/// </summary>
public static class FeedbackLoopDemo
{
    /// <summary>The stages reported, in order.</summary>
    public static readonly IReadOnlyList<string> Stages =
        ["serve the production model", "clean traffic", "shifted traffic: drift alarm and feedback", "retraining and gated promotion", "traffic after retraining", "recovery on unseen images"];

    /// <param name="trained">The first half's outcome: the registry home and the production version.</param>
    /// <param name="demo">The first half's options (data folder, output folder, model name).</param>
    /// <param name="onStage">Called with the stage index as each begins.</param>
    /// <param name="log">One-line notes.</param>
    public static async Task<FeedbackDemoOutcome> RunAsync(DemoOutcome trained, DemoOptions demo, FeedbackDemoOptions? options = null,
        Action<int>? onStage = null, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trained);
        ArgumentNullException.ThrowIfNull(demo);
        options = (options ?? new FeedbackDemoOptions()).Validate();
        var clock = Stopwatch.StartNew();
        var timeline = new List<TimelineEntry>();
        var name = trained.Name;
        void Note(long requests, string text)
        {
            timeline.Add(new TimelineEntry(clock.Elapsed, requests, text));
            log?.Invoke(Invariant($"[{clock.Elapsed.TotalSeconds,5:F0} s, {requests,5} requests] {text}"));
        }

        onStage?.Invoke(0);
        using var traffic = Traffic.Load(demo.Data, options);
        var folder = Path.Combine(demo.Out, "serving");
        Directory.CreateDirectory(folder);
        var database = Path.Combine(folder, "serving.db");
        var adminKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        await using var server = ServingApp.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Serving:RegistryHome"] = trained.Home,
                ["Serving:DatabasePath"] = database,
                ["Serving:AdminKey"] = adminKey,
                ["Serving:ReloadInterval"] = "00:00:00.200",
                ["Serving:PredictionLog:Enabled"] = "true",
                // The demo's users agreed to share their images: kept raw, so labelled ones can be retrained on.
                ["Serving:PredictionLog:Inputs"] = nameof(InputStorage.Raw),
            });
        });
        await server.StartAsync(cancellationToken);
        try
        {
            foreach (var model in await server.WarmUpAsync(cancellationToken))
                Note(0, model.Ready ? $"Serving {model.Name} v{model.Version}." : $"{model.Name} v{model.Version} failed to load: {model.Problem}");
            var address = new Uri(server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            string key;
            using (var admin = new ModelLoopClient(address, adminKey))
                key = (await admin.CreateTenantAsync("acme", [name], requestsPerMinute: 1_000_000, cancellationToken: cancellationToken)).Key;
            Note(0, $"Server on {address} with the prediction log on; tenant acme created with its own API key.");
            using var client = new ModelLoopClient(address, key);
            var predictions = PredictionLog.Open(PredictionLog.PathNextTo(database));
            var registry = new ModelRegistry(trained.Home);
            var monitor = LiveMonitor.ForRegistry(registry, name, options.Monitoring);
            var session = new Session(client, predictions, monitor, name, options);

            onStage?.Invoke(1);
            var cleanEnd = options.CleanRequests;
            await session.SendAsync(traffic.Before, 0, cleanEnd, _ => false, cancellationToken);
            var cleanWindows = session.Windows.Where(w => w.LastItem <= cleanEnd).ToList();
            Note(session.Requests, Invariant($"Clean traffic: {cleanWindows.Count} windows judged, {cleanWindows.Count(w => w.Alarm)} alarms; live accuracy {Percent(session.Accuracy(0, cleanEnd))}."));

            onStage?.Invoke(2);
            Note(session.Requests, $"The shift begins: images now arrive {Describe(options.Shift)}.");
            MonitoringWindow? alarm = null;
            await session.SendAsync(traffic.Before, cleanEnd, cleanEnd + options.MaxShiftedRequests, sent =>
            {
                if (alarm is null && session.Windows.FirstOrDefault(w => w.Alarm && w.LastItem > cleanEnd) is { } first)
                {
                    alarm = first;
                    Note(first.Requests, Invariant($"DRIFT ALARM {first.Requests - cleanEnd} requests after the shift began: {string.Join("; ", first.Drift.Reasons.Take(3))}"));
                }
                return alarm is not null && session.Labelled(cleanEnd) >= options.TrainingLabels;
            }, cancellationToken);
            var shiftedEnd = session.Requests;
            Note(shiftedEnd, Invariant($"Shifted traffic: live accuracy {Percent(session.Accuracy(cleanEnd, shiftedEnd))} on {session.Labelled(cleanEnd):N0} labelled items (clean: {Percent(session.Accuracy(0, cleanEnd))})."));

            onStage?.Invoke(3);
            var (production, testAccuracy) = FeedbackRetrainer.Production(registry, name);
            var report = session.Report();
            var store = FeedbackRetrainer.Store(trained.Home);
            var decision = options.Policy.Decide(FeedbackRetrainer.Signals(report, production, testAccuracy, DateTimeOffset.UtcNow), store.Latest(name));
            Note(shiftedEnd, (decision.Retrain ? "Policy: retrain. " : "Policy: no retraining. ") + decision.Reason);
            RetrainingOutcome? outcome = null;
            FeedbackExportResult? export = null;
            string? failure = null;
            if (decision.Retrain)
            {
                try
                {
                    (export, outcome) = await Task.Run(() => FeedbackRetrainer.Run(predictions, name, options.Policy, decision,
                        Path.Combine(demo.Out, "feedback"), home: trained.Home, progress: text => Note(shiftedEnd, text)), cancellationToken);
                    Note(shiftedEnd, $"Job {outcome.Job.Id}: {outcome.Job.State}.");
                }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException or InvalidDataException)
                {
                    // A job that cannot run (e.g. too few labels to hold out) fails on its own; serving goes on with production.
                    failure = e.Message;
                    Note(shiftedEnd, $"Retraining failed: {e.Message}");
                }
                if (outcome?.Promoted == true)
                {
                    var promoted = outcome.Job.ChallengerVersion!.Value.ToString(CultureInfo.InvariantCulture);
                    await session.WaitForVersionAsync(traffic.After.Images[0], promoted, cancellationToken);
                    Note(shiftedEnd, $"The server now answers with v{promoted} (hot reload, no restart).");
                }
            }

            onStage?.Invoke(4);
            var afterStart = session.Requests;
            await session.SendAsync(traffic.After, 0, options.AfterRequests, _ => false, cancellationToken, offset: afterStart);
            Note(session.Requests, Invariant($"After retraining: live accuracy {Percent(session.Accuracy(afterStart, session.Requests))} on the shifted traffic."));

            onStage?.Invoke(5);
            var recovery = outcome?.Job.ChallengerVersion is { } challenger && outcome.Promoted
                ? Recovery.Measure(registry, name, outcome.Job.ChampionVersion, challenger, traffic)
                : null;
            if (recovery is not null)
                Note(session.Requests, Invariant($"On {traffic.RecoveryLabels.shape[0]:N0} unseen test images: shifted {recovery.ShiftedBefore:P2} → {recovery.ShiftedAfter:P2} (McNemar p = {recovery.ShiftedMcNemarP:G3}), clean {recovery.CleanBefore:P2} → {recovery.CleanAfter:P2}."));

            var full = session.Report();
            // The shift and its alarm are often a window apart: one label for both when they would overlap.
            var events = new List<MonitoringEvent>();
            if (alarm is not null && alarm.Requests - cleanEnd < 300)
                events.Add(new MonitoringEvent(cleanEnd, Invariant($"shift; alarm +{alarm.Requests - cleanEnd}")));
            else
            {
                events.Add(new MonitoringEvent(cleanEnd, "shift begins"));
                if (alarm is not null)
                    events.Add(new MonitoringEvent(alarm.Requests, "drift alarm"));
            }
            if (outcome?.Promoted == true)
                events.Add(new MonitoringEvent(shiftedEnd, $"v{outcome.Job.ChallengerVersion} promoted"));
            var files = MonitoringReportWriter.Write(full, Path.Combine(demo.Out, "monitoring"), events);
            var plot = Path.Combine(demo.Out, "feedback-loop.png");
            File.Copy(files.DriftPlot, plot, overwrite: true);
            AtomicFile.WriteAllText(Path.Combine(demo.Out, "timeline.txt"), string.Join('\n', timeline.Select(t => t.ToString())) + "\n");
            Note(session.Requests, $"Plot {plot}; monitoring report {files.Html}.");
            return new FeedbackDemoOutcome
            {
                Timeline = timeline,
                CleanWindows = cleanWindows.Count,
                FalseAlarms = cleanWindows.Count(w => w.Alarm),
                DetectionDelay = alarm is null ? null : alarm.Requests - cleanEnd,
                Labelled = session.Labelled(0),
                Decision = decision,
                Export = export,
                Retraining = outcome,
                RetrainingFailure = failure,
                CleanLiveAccuracy = session.Accuracy(0, cleanEnd),
                ShiftedLiveAccuracy = session.Accuracy(cleanEnd, shiftedEnd),
                AfterLiveAccuracy = session.Accuracy(afterStart, session.Requests),
                Recovery = recovery,
                Monitoring = full,
                Plot = plot,
                Report = files.Html,
                Requests = session.Requests,
                Elapsed = clock.Elapsed,
            };
        }
        finally
        {
            await server.StopAsync(CancellationToken.None);
        }
    }

    private static string Describe(Data.Shift.ImageCorruption c) =>
        Invariant($"with contrast ×{c.Contrast}, brightness {c.Brightness:+0.##;-0.##;0}, rotation ±{c.RotationDegrees}°, blur σ {c.BlurSigma}, noise σ {c.NoiseStandardDeviation}");

    private static string Percent(double? value) => value is { } v ? v.ToString("P1", CultureInfo.InvariantCulture) : "n/a";

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
