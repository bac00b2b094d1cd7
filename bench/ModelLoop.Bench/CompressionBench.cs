using System.Globalization;
using System.Text.Json.Nodes;
using ModelLoop.Artifacts;
using ModelLoop.Data;
using ModelLoop.Loop;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Native;
using ModelLoop.Optimization.Distillation;
using ModelLoop.Optimization.Pruning;
using ModelLoop.Samples;
using ModelLoop.Training;

namespace ModelLoop.Bench;

/// <summary>
/// The compression and transfer figures of the optimization stage, on real Fashion-MNIST with the seed's Keras CNN
/// trained once by a <see cref="TrainingJob"/> (the baseline, the parent and the teacher), every variant made by the
/// public jobs and measured against it in the same run: (a) unstructured global pruning with fine-tuning, (b) channel
/// pruning: latency, throughput and accuracy, (c) distillation into a student of ≤ 1/4 of the parameters against the
/// same student trained alone, (d) few-label transfer (samples/TransferLearning's experiment), (e) distillation of an
/// ensemble of the demo's recipe CNNs into a narrower bn-cnn (default width 16, stages [1, 1, 2]) against the same
/// student trained alone, over several seeds (`--only e`; not in the default set: over an hour on one thread).
/// </summary>
internal static class CompressionBench
{
    public static int Run(BenchOptions options)
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.Threads = options.Int("threads", 2);
        var epochs = options.Int("epochs", 2);
        var fineTune = options.Int("fine-tune-epochs", 2);
        int? limit = options.Int("limit", 0) is > 0 and var l ? l : null;
        var seed = options.Int("seed", 1);
        var only = options.String("only", "abcd");
        // (c)'s --temperature/--alpha as `modelloop optimize` takes them; Validate names a bad one before any training.
        var knobs = new DistillationOptions { Temperature = options.Double("temperature", 4), Alpha = options.Double("alpha", 0.7) }.Validate();
        var work = options.String("out", Path.Combine(Path.GetTempPath(), $"modelloop-compression-bench-{Environment.ProcessId}"));
        var images = options.String("data", FashionMnist.DefaultDirectory);
        var data = new DataConfig { Source = images, Validation = 0, Limit = limit };
        var home = Path.Combine(work, "home");
        TrainingJobOptions Job(string name) => new() { OutputDirectory = Path.Combine(work, name), Home = home, Track = false, Progress = ProgressMode.Silent };
        var failed = 0;
        void Figure(string what, double value, string target, bool met)
        {
            Console.WriteLine($"  {what,-58} {value.ToString("0.###", CultureInfo.InvariantCulture),10}   target {target,-10} {(met ? "met" : "NOT MET")}");
            failed += met ? 0 : 1;
        }

        var keras = only.Any(part => part is 'a' or 'b' or 'c') ? $", seed Keras CNN, {epochs} epoch(s), fine-tuning {fineTune} epoch(s), seed {seed}" : "";
        Console.WriteLine($"Compression on Fashion-MNIST ({(limit is null ? "all 60,000" : $"{limit:N0}")} training images, 10,000 test){keras}, {TorchRuntime.Threads} threads, CPU {TorchRuntime.CpuModel}.");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TrainingResult? baseline = null;
        var baseAccuracy = 0.0;
        if (only.Any(part => part is 'a' or 'b' or 'c')) // (d) pretrains its own model
        {
            baseline = TrainingJob.Run(new TrainingConfig { Model = new ModelConfig { Zoo = "keras-cnn" }, Data = data, Epochs = epochs, Seed = seed }, Job("baseline"));
            baseAccuracy = baseline.Test["accuracy"];
            Console.WriteLine($"Baseline: {baseAccuracy:P2} test accuracy, {baseline.Parameters:N0} parameters ({clock.Elapsed.TotalSeconds:F0} s).");
        }

        if (baseline is not null && only.Contains('a', StringComparison.Ordinal))
        {
            clock.Restart();
            var pruned = PruningJob.Run(baseline.RunDirectory, new PruningOptions { Sparsity = 0.9, Schedule = PruningSchedule.Polynomial },
                new PruningJobOptions { Epochs = fineTune, Training = Job("pruned"), LearningRate = options.Double("prune-rate", 5e-4) });
            Console.WriteLine($"(a) global magnitude pruning, polynomial ramp over half of {fineTune} fine-tuning epoch(s) ({clock.Elapsed.TotalSeconds:F0} s):");
            Console.WriteLine(Indent(pruned.Sparsity.ToString()));
            Figure("sparsity of the prunable weights", pruned.Sparsity.Overall, "≥ 0.9", pruned.Sparsity.Overall >= 0.9 - 1e-6);
            Figure("accuracy loss (points)", (baseAccuracy - pruned.Test["accuracy"]) * 100, "≤ 0.5", baseAccuracy - pruned.Test["accuracy"] <= 0.005);
        }

        if (baseline is not null && only.Contains('b', StringComparison.Ordinal))
        {
            clock.Restart();
            var narrow = PruningJob.Run(baseline.RunDirectory, new PruningOptions { Sparsity = 0.5, Structure = PruningStructure.Channels },
                new PruningJobOptions { Epochs = fineTune, Training = Job("channels"), LearningRate = options.Double("channel-rate", 5e-4) });
            Console.WriteLine($"(b) channel pruning, 50% of the filters and hidden units ({string.Join(", ", narrow.Channels.Select(c => $"{c.Name} {c.Before}→{c.After}"))}), {narrow.ParentParameters:N0} → {narrow.Parameters:N0} parameters ({clock.Elapsed.TotalSeconds:F0} s):");
            using var parent = ModelPackage.Load(baseline.PackagePath);
            using var smaller = ModelPackage.Load(narrow.PackagePath);
            var (train, test) = FashionMnist.Load(images, testLimit: 2048);
            train.Dispose();
            using (test)
            {
                var rounds = options.Int("rounds", 500);
                var parentLatency = CompressionLatency.Batch1Milliseconds(parent.Model, test.Features, rounds);
                var prunedLatency = CompressionLatency.Batch1Milliseconds(smaller.Model, test.Features, rounds);
                var parentThroughput = CompressionLatency.ImagesPerSecond(parent.Model, test.Features, 256);
                var prunedThroughput = CompressionLatency.ImagesPerSecond(smaller.Model, test.Features, 256);
                Console.WriteLine($"  batch-1 median latency {parentLatency:F3} ms → {prunedLatency:F3} ms; batch-256 throughput {parentThroughput:F0} → {prunedThroughput:F0} img/s");
                Figure("batch-1 latency speed-up (×)", parentLatency / prunedLatency, "≥ 1.6", parentLatency / prunedLatency >= 1.6);
                Figure("batch-256 throughput speed-up (×)", prunedThroughput / parentThroughput, "≥ 1.6", prunedThroughput / parentThroughput >= 1.6);
            }
            Figure("accuracy loss (points)", (baseAccuracy - narrow.Test["accuracy"]) * 100, "≤ 1", baseAccuracy - narrow.Test["accuracy"] <= 0.01);
        }

        if (baseline is not null && only.Contains('c', StringComparison.Ordinal))
        {
            clock.Restart();
            var filters = options.Int("student-filters", 8);
            var hidden = options.Int("student-hidden", 96);
            using var studentModel = ModelZoo.KerasCnn(new Shape(1, 28, 28), 10, filters, hidden);
            var student = new TrainingConfig
            {
                Model = new ModelConfig { Spec = JsonNode.Parse(studentModel.ToSpec().ToJson()) },
                Data = data,
                Epochs = epochs,
                Seed = seed,
            };
            var distilled = DistillationJob.Run(baseline.RunDirectory, student, knobs, new DistillationJobOptions { Training = Job("distilled") });
            var alone = TrainingJob.Run(student, Job("student-alone"));
            Console.WriteLine($"(c) distillation (T = {knobs.Temperature.ToString(CultureInfo.InvariantCulture)}, α = {knobs.Alpha.ToString(CultureInfo.InvariantCulture)}) into a Keras CNN of {filters} filters and {hidden} hidden units, {epochs} epoch(s), seed {seed} ({clock.Elapsed.TotalSeconds:F0} s):");
            Console.WriteLine($"  teacher {distilled.TeacherTest["accuracy"]:P2} ({distilled.TeacherParameters:N0} parameters), student distilled {distilled.Test["accuracy"]:P2}, alone {alone.Test["accuracy"]:P2} ({distilled.Parameters:N0} parameters)");
            Figure("student parameters ÷ teacher's", (double)distilled.Parameters / distilled.TeacherParameters, "≤ 0.25", distilled.Parameters * 4 <= distilled.TeacherParameters);
            Figure("teacher − distilled student (points)", (distilled.TeacherTest["accuracy"] - distilled.Test["accuracy"]) * 100, "≤ 1", distilled.TeacherTest["accuracy"] - distilled.Test["accuracy"] <= 0.01);
            Figure("distilled − student alone (points)", (distilled.Test["accuracy"] - alone.Test["accuracy"]) * 100, "≥ 0.5", distilled.Test["accuracy"] - alone.Test["accuracy"] >= 0.005);
        }

        if (only.Contains('d', StringComparison.Ordinal))
        {
            clock.Restart();
            var pair = options.Ints("held-out", [0, 6]);
            var seeds = options.Ints("transfer-seeds", [1, 2, 3]);
            var outcome = FewShotTransfer.Run(new FewShotSettings(pair, 100, limit, options.Int("pretrain-epochs", 4), options.Int("transfer-epochs", 30), [.. seeds.Select(s => (long)s)], images,
                "bn-cnn", ["full", "probe", "lpft"], [3e-4, 1e-3, 3e-3, 1e-2], Augment: false, [1e-4, 3e-4, 1e-3]), line => Console.WriteLine("  " + line));
            Console.WriteLine($"(d) transfer to {string.Join(" vs ", pair.Select(c => FashionMnist.ClassNames[c]))} from 100 labels, {seeds.Length} draws ({clock.Elapsed.TotalSeconds:F0} s), each side's recipe picked on validation images: " +
                $"transferred ({outcome.BestTransfer}) {outcome.Transferred():P2}, from scratch ({outcome.BestScratch}) {outcome.Scratch:P2}");
            var gains = outcome.Gains;
            Console.WriteLine($"  gain per draw: {string.Join(", ", gains.Select(g => g.ToString("F1", CultureInfo.InvariantCulture)))} points");
            Figure("transferred − scratch (points, mean of the draws)", gains.Average(), "≥ 10", gains.Average() >= 10);
        }
        if (only.Contains('e', StringComparison.Ordinal))
        {
            clock.Restart();
            var count = options.Int("members", 4);
            var recipe = new Training.Recipes.ImageClassifierRecipe { Epochs = options.Int("recipe-epochs", 4) };
            var seeds = options.Ints("student-seeds", [1, 2, 3]);
            var studentWidth = options.Int("student-width", 16);
            var studentStages = options.Ints("student-stages", [1, 1, 2]);
            // The demo's data: 5,000 training images held out for validation, images standardized.
            var recipeData = new DataConfig { Source = images, Validation = DemoLoop.ValidationFraction, NormalizeImages = true, Limit = limit, SplitSeed = 1 };
            // Members without label smoothing: a smoothed teacher's wrong-class probabilities carry less (Müller et al. 2019).
            var members = Enumerable.Range(0, count)
                .Select(k => TrainingJob.Run(DemoLoop.RecipeConfig(recipe with { LabelSmoothing = 0 }, recipeData, 11 + k), Job($"member-{k + 1}")))
                .ToList();
            Console.WriteLine($"(e) {count} members (bn-cnn, {recipe.Epochs} epochs, seeds 11–{10 + count}): {string.Join(", ", members.Select(m => m.Test["accuracy"].ToString("P2", CultureInfo.InvariantCulture)))} ({clock.Elapsed.TotalSeconds:F0} s)");
            var rows = new List<(double Alone, double Distilled, double Ensemble, double Ratio)>();
            foreach (var s in seeds)
            {
                // The demo's recipe (label smoothing 0.1) on a narrower bn-cnn (--student-width, --student-stages).
                var student = DemoLoop.RecipeConfig(recipe with { Width = studentWidth, ConvsPerStage = studentStages }, recipeData, s);
                var alone = TrainingJob.Run(student, Job($"alone-{s}"));
                var distilled = DistillationJob.Run(members[0].RunDirectory, student, knobs,
                    new DistillationJobOptions { Training = Job($"distilled-{s}"), AdditionalTeachers = [.. members.Skip(1).Select(m => m.RunDirectory)] });
                rows.Add((alone.Test["accuracy"], distilled.Test["accuracy"], distilled.TeacherTest["accuracy"], (double)distilled.Parameters / distilled.TeacherParameters));
                Console.WriteLine($"  seed {s}: student alone {alone.Test["accuracy"]:P2}, distilled {distilled.Test["accuracy"]:P2} ({(distilled.Test["accuracy"] - alone.Test["accuracy"]) * 100:+0.00;-0.00} pt), ensemble {distilled.TeacherTest["accuracy"]:P2} ({clock.Elapsed.TotalSeconds:F0} s)");
            }
            var gain = rows.Average(r => r.Distilled - r.Alone) * 100;
            var below = rows.Average(r => r.Ensemble - r.Distilled) * 100;
            Console.WriteLine($"  mean of {rows.Count} seed(s): alone {rows.Average(r => r.Alone):P2}, distilled {rows.Average(r => r.Distilled):P2}, ensemble {rows[0].Ensemble:P2}; T = {knobs.Temperature.ToString(CultureInfo.InvariantCulture)}, α = {knobs.Alpha.ToString(CultureInfo.InvariantCulture)}");
            Figure("student parameters ÷ ensemble's", rows[0].Ratio, "≤ 0.25", rows[0].Ratio <= 0.25 + 1e-12);
            Figure("ensemble − distilled student (points, mean)", below, "≤ 1", below <= 1);
            Figure("distilled − student alone (points, mean)", gain, "≥ 0.5", gain >= 0.5);
        }
        if (!options.Flag("keep"))
            Directory.Delete(work, recursive: true);
        return failed == 0 ? 0 : 1;
    }

    private static string Indent(string text) => string.Join(Environment.NewLine, text.Split(Environment.NewLine).Select(line => "    " + line));
}
