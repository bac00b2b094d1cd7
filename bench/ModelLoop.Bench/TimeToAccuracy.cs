using System.Diagnostics;
using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Native;
using ModelLoop.Training;
using ModelLoop.Training.Recipes;
using static TorchSharp.torch;

namespace ModelLoop.Bench;

/// <summary>
/// Time to accuracy on the real Fashion-MNIST test set. The clock starts before libtorch and the data are
/// loaded and includes loading, building and training; it is paused while the benchmark itself evaluates
/// the test set after each epoch (a measurement a real run would not make). Prints the test accuracy after
/// each epoch, the time at which it first reached the target, and the accuracy of the last epoch that ended
/// within the budget; with --tta also the accuracy with left-right flip averaging.
/// </summary>
internal static class TimeToAccuracy
{
    public static int Run(BenchOptions options)
    {
        var wall = Stopwatch.StartNew();
        TorchRuntime.EnsureLoaded();
        TorchRuntime.Threads = options.Int("threads", 2);
        var target = options.Double("target", 0.93);
        var budget = options.Double("budget", 120);
        var recipe = new ImageClassifierRecipe
        {
            Epochs = options.Int("epochs", 4),
            Width = options.Int("width", 32),
            ConvsPerStage = options.Ints("convs", [1, 2, 2]),
            BatchSize = options.Int("batch", 128),
            PeakLearningRate = options.Double("lr", 0.1),
            Flip = options.Flag("flip"),
            Precision = options.String("precision", TorchRuntime.CpuHasNativeBFloat16 ? "bf16" : "fp32") == "bf16" ? Precision.BFloat16 : Precision.Float32,
        };
        var (train, test) = FashionMnist.Load(options.String("data", FashionMnist.DefaultDirectory));
        ImageClassifierRecipe.Standardize(train, test);
        var loadSeconds = wall.Elapsed.TotalSeconds;
        random.manual_seed(options.Int("seed", 1));
        using var model = recipe.CreateModel(train.SampleShape, 10);
        recipe.Compile(model);
        Console.WriteLine($"Time to accuracy: Fashion-MNIST, {TorchRuntime.Threads} threads, {recipe.Precision}, width {recipe.Width}, stages [{string.Join(",", recipe.ConvsPerStage)}], " +
                          $"{recipe.Epochs} epochs, batch {recipe.BatchSize}, flip {recipe.Flip}, {model.ParameterCount:N0} parameters; data loaded in {loadSeconds:F2} s");
        var probe = new TestProbe(test, wall, options.Flag("tta"), options.Int("eval-from", 1));
        var history = model.Fit(train, recipe.FitOptions(options.Int("seed", 1)) with { Progress = ProgressMode.Lines }, callbacks: [probe]);
        var trainSeconds = history.Epochs.Sum(e => e["seconds"]);
        Console.WriteLine($"training: {train.Count * history.Epochs.Count / trainSeconds:F0} img/s over {trainSeconds:F1} s; clock (evaluations excluded) {wall.Elapsed.TotalSeconds:F1} s");
        var reached = probe.Results.FirstOrDefault(r => r.Accuracy >= target);
        Console.WriteLine(reached is null
            ? $"time to {target:P1}: not reached (best {probe.Results.Max(r => r.Accuracy):P2})"
            : $"time to {target:P1}: {reached.WallSeconds:F1} s (epoch {reached.Epoch})");
        var inBudget = probe.Results.LastOrDefault(r => r.WallSeconds <= budget);
        Console.WriteLine(inBudget is null
            ? $"accuracy at {budget:F0} s: no epoch finished within the budget"
            : $"accuracy at {budget:F0} s: {inBudget.Accuracy:P2} (epoch {inBudget.Epoch}, {inBudget.WallSeconds:F1} s){(inBudget.FlipAccuracy is { } f ? $"; with flip averaging {f:P2}" : "")}");
        return 0;
    }

    private sealed record EpochResult(int Epoch, double WallSeconds, double Accuracy, double? FlipAccuracy);

    /// <summary>Evaluates the test set after each epoch and notes the wall time.</summary>
    private sealed class TestProbe(TensorDataset test, Stopwatch wall, bool tta, int evalFrom) : Callback
    {
        public List<EpochResult> Results { get; } = new();

        public override void OnEpochEnd(TrainingContext context)
        {
            if (context.Epoch + 1 < evalFrom)
                return;
            wall.Stop();
            var model = context.Model;
            using var scope = NewDisposeScope();
            var logits = model.Predict(test.Features, 1000);
            var accuracy = logits.argmax(1).eq(test.Labels).to(ScalarType.Float32).mean().item<float>();
            double? flipAccuracy = null;
            if (tta)
            {
                var flipped = model.Predict(test.Features.flip(3), 1000);
                var averaged = logits.softmax(1) + flipped.softmax(1);
                flipAccuracy = averaged.argmax(1).eq(test.Labels).to(ScalarType.Float32).mean().item<float>();
            }
            Results.Add(new EpochResult(context.Epoch + 1, wall.Elapsed.TotalSeconds, accuracy, flipAccuracy));
            Console.WriteLine($"  epoch {context.Epoch + 1}: test accuracy {accuracy:P2}{(flipAccuracy is { } f ? $" (flip-averaged {f:P2})" : "")} at {wall.Elapsed.TotalSeconds:F1} s");
            wall.Start();
        }
    }
}
