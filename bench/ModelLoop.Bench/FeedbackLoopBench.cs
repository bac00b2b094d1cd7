using System.Globalization;
using ModelLoop.Artifacts;
using ModelLoop.Data;
using ModelLoop.Demo;
using ModelLoop.Loop;
using ModelLoop.Monitoring.Drift;
using ModelLoop.Registry;
using static TorchSharp.torch;

namespace ModelLoop.Bench;

/// <summary>
/// The feedback stage's figures (issue 11), from one run of the whole demo loop plus an offline check of the drift
/// detector on the production model:
/// <list type="bullet">
/// <item>false alarms: 20 independent windows of 200 clean test images (5,000–8,999, never trained on) against the
/// production version's reference — target 0; and the same 20 windows shifted — all should alarm;</item>
/// <item>detection delay: requests after the shift's onset until the live monitor's alarm in the demo — target ≤ 300;</item>
/// <item>recovery: the retrained version vs the one before on 5,000 unseen test images, shifted (≥ +10 points, McNemar
/// significant) and clean (≤ 0.5 point lost).</item>
/// </list>
/// </summary>
internal static class FeedbackLoopBench
{
    public static int Run(BenchOptions options)
    {
        var threads = options.Int("threads", 2);
        Native.TorchRuntime.Threads = threads;
        var work = options.String("out", Path.Combine(Path.GetTempPath(), $"modelloop-feedback-bench-{Environment.ProcessId}"));
        var demo = new DemoOptions
        {
            Data = options.String("data", FashionMnist.DefaultDirectory),
            Out = work,
            Home = Path.Combine(work, "home"),
            Epochs = options.Int("epochs", 4),
            Seed = options.Int("seed", 1),
        }.Validate();
        Console.WriteLine($"CPU: {CpuModel()}, {threads} threads. Training the demo's champion and challenger…");
        var trained = DemoLoop.Run(demo);
        Console.WriteLine(Invariant($"Production: v{trained.ProductionVersion} ({(trained.Decision.Promoted ? trained.ChallengerAccuracy : trained.ChampionAccuracy):P2} test accuracy)."));

        var feedback = new FeedbackDemoOptions();
        var (falseAlarms, caught) = OfflineWindows(trained, demo, feedback, windows: 20, size: 200);
        Console.WriteLine($"Offline, 20 windows of 200 unseen test images: {falseAlarms} false alarms on clean windows (target 0), {caught}/20 shifted windows alarmed.");

        var outcome = FeedbackLoopDemo.RunAsync(trained, demo, feedback, log: Console.WriteLine).GetAwaiter().GetResult();
        Console.WriteLine();
        Console.WriteLine(Invariant($"Detection delay: {(outcome.DetectionDelay is { } d ? d.ToString(CultureInfo.InvariantCulture) : "no alarm")} requests after the shift began (target ≤ 300); false alarms on {outcome.CleanWindows} live clean windows: {outcome.FalseAlarms}."));
        if (outcome.Recovery is { } r)
        {
            Console.WriteLine(Invariant($"Recovery on 5,000 unseen shifted images: {r.ShiftedBefore:P2} → {r.ShiftedAfter:P2} ({r.ShiftedGain * 100:+0.00;-0.00} points, McNemar p = {r.ShiftedMcNemarP:G3}, {r.ShiftedVerdict}); target ≥ +10 points."));
            Console.WriteLine(Invariant($"Clean: {r.CleanBefore:P2} → {r.CleanAfter:P2} ({-r.CleanLoss * 100:+0.00;-0.00} points, {r.CleanVerdict}); target ≥ −0.5 point."));
            Console.WriteLine(Invariant($"Retrained on {outcome.Export?.TrainItems} labelled items ({outcome.Export?.HoldoutItems} held out); the whole feedback half took {outcome.Elapsed.TotalSeconds:F0} s."));
        }
        else
            Console.WriteLine($"No retrained version was promoted: {outcome.Retraining?.Job.Decision ?? outcome.Decision.Reason}");
        return 0;
    }

    // The production version's monitor on clean and shifted windows of test images 5,000–8,999, without the server.
    private static (int FalseAlarms, int Caught) OfflineWindows(DemoOutcome trained, DemoOptions demo, FeedbackDemoOptions feedback, int windows, int size)
    {
        using var package = ModelPackage.From(new ModelRegistry(trained.Home).Load(trained.Name, trained.ProductionVersion.ToString(CultureInfo.InvariantCulture)));
        var monitor = ItemMonitor.For(package) ?? throw new InvalidOperationException("The production package has no reference profile.");
        var detector = new DriftDetector(feedback.Monitoring.Detector);
        var (train, test) = FashionMnist.Load(demo.Data, trainLimit: 1);
        train.Dispose();
        using (test)
        {
            using var images = test.Features[5000..(5000 + windows * size)];
            using var shifted = feedback.Shift.Apply(images, seed: 99);
            int Alarms(Tensor raw)
            {
                using var scope = NewDisposeScope();
                var inputs = package.Pipeline!.TransformImages(raw);
                var items = new List<MonitoredItem>();
                using (no_grad())
                {
                    package.Model.Network.eval();
                    for (var start = 0; start < inputs.shape[0]; start += 256)
                    {
                        var batch = inputs[start..(int)Math.Min(inputs.shape[0], start + 256)];
                        var (outputs, embeddings) = package.Model.ForwardWithEmbedding(batch);
                        var x = batch.reshape(batch.shape[0], -1).data<float>().ToArray();
                        var o = outputs.reshape(batch.shape[0], -1).data<float>().ToArray();
                        var e = embeddings.data<float>().ToArray();
                        var (xw, ow, ew) = ((int)(x.Length / batch.shape[0]), (int)(o.Length / batch.shape[0]), (int)(e.Length / batch.shape[0]));
                        for (var i = 0; i < batch.shape[0]; i++)
                            items.Add(monitor.Extract(null, x.AsSpan(i * xw, xw), e.AsSpan(i * ew, ew).ToArray(), o.AsSpan(i * ow, ow)));
                    }
                }
                return Enumerable.Range(0, windows).Count(w => detector.Detect(monitor.Reference!, items.GetRange(w * size, size)).Alarm);
            }
            return (Alarms(images), Alarms(shifted));
        }
    }

    private static string CpuModel() => ModelLoop.Native.TorchRuntime.CpuModel;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
