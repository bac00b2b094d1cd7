using System.Diagnostics;
using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Native;
using ModelLoop.Privacy.Sgd;
using ModelLoop.Training;
using ModelLoop.Training.Recipes;
using static TorchSharp.torch;

namespace ModelLoop.Bench;

/// <summary>
/// DP-SGD on Fashion-MNIST (issue 14): (a) the step time of DP-SGD against the non-private step, same model and
/// (expected) batch, interleaved rounds on a slice of the data; (b) test accuracy at (ε, δ) = (3, 1e-5) with the
/// end-to-end tanh CNN of Papernot et al. / Tramèr &amp; Boneh 2021 (here with GroupNorm after each convolution).
/// </summary>
internal static class DpSgdBench
{
    public static int Run(BenchOptions options)
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.Threads = options.Int("threads", 1);
        var part = options.String("part", "all");
        var (train, test) = FashionMnist.Load(options.String("data", FashionMnist.DefaultDirectory));
        if (part is "accuracy" or "all" && options.String("model", "scatternet") == "scatternet")
        {
            // The scattering recipe keeps pixels in their fixed [0, 1] scale: no statistic of the private data is used.
            DpScatterNetBench.Accuracy(train, test, options);
            if (part == "accuracy") return 0;
        }
        ImageClassifierRecipe.Standardize(train, test);
        if (part is "speed" or "step" or "all")
            Speed(train, options);
        if (part == "profile")
            Profile(train, options);
        if (part is "accuracy" && options.String("model", "scatternet") == "cnn")
            Accuracy(train, test, options);
        return 0;
    }

    /// <summary>conv(16, 7×7, stride 2) → GN → tanh → maxpool(2, 1) → conv(32, 5×5, stride 2) → GN → tanh → maxpool(2, 1) → dense(32, tanh) → dense(10).</summary>
    private static Sequential Cnn(Shape input, int seed)
    {
        random.manual_seed(seed);
        return new Sequential(input)
        {
            new Conv2D(16, 7, Stride: 2, Padding: Padding.Same),
            new GroupNorm(4),
            new ActivationLayer(Activation.Tanh),
            new MaxPool2D(2, 1),
            new Conv2D(32, 5, Stride: 2),
            new GroupNorm(4),
            new ActivationLayer(Activation.Tanh),
            new MaxPool2D(2, 1),
            new Flatten(),
            new Dense(32, Activation.Tanh),
            new Dense(10),
        };
    }

    private static void Speed(TensorDataset train, BenchOptions options)
    {
        var batch = options.Int("batch", 2048);
        var steps = options.Int("steps", 8);
        var rounds = options.Int("rounds", 3);
        var slice = train.Slice(0, Math.Min(train.Count, (long)batch * steps));
        Console.WriteLine($"DP step time: {slice.Count:N0} images = {steps} steps of (expected) batch {batch}, {TorchRuntime.Threads} thread(s), {rounds} interleaved rounds");
        double Time(bool dp)
        {
            using var model = Cnn(train.SampleShape, 1);
            model.Compile(OptimizerOptions.Sgd(0.1, momentum: 0.9), Loss.CrossEntropy());
            StepPlugin[] plugins = dp ? [new DpSgdPlugin(new DpSgdOptions { NoiseMultiplier = 1.0, MaxGradNorm = 0.1, Delta = 1e-5 })] : [];
            // One warm-up epoch (allocator, first-call costs), then the timed one.
            var history = model.Fit(slice, new FitOptions { Epochs = 2, BatchSize = batch, Seed = 1, Progress = ProgressMode.Silent, Plugins = plugins });
            return history.Epochs[^1]["seconds"] / steps;
        }
        var plain = new List<double>();
        var dp = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            // Alternate which side goes first, so a drift in machine load does not favour one.
            if (r % 2 == 0) { plain.Add(Time(false)); dp.Add(Time(true)); }
            else { dp.Add(Time(true)); plain.Add(Time(false)); }
            Console.WriteLine($"  round {r + 1}: plain {plain[^1] * 1000:F0} ms/step, DP {dp[^1] * 1000:F0} ms/step, ratio {dp[^1] / plain[^1]:F2}");
        }
        var (p, d) = (Median(plain), Median(dp));
        Console.WriteLine($"median: plain {p * 1000:F0} ms/step, DP-SGD {d * 1000:F0} ms/step, ratio {d / p:F2} (target ≤ 2.5)");
    }

    /// <summary>Where a DP step's time goes: per layer, the norms and the clipped sum, against the whole step.</summary>
    private static void Profile(TensorDataset train, BenchOptions options)
    {
        var batch = options.Int("batch", 1024);
        var steps = options.Int("steps", 3);
        var slice = train.Slice(0, Math.Min(train.Count, (long)batch * steps));
        var totals = new Dictionary<(string, string), TimeSpan>();
        var second = new SecondEpoch();
        var plugin = new DpSgdPlugin(new DpSgdOptions { NoiseMultiplier = 1.0, MaxGradNorm = 0.1, Delta = 1e-5 })
        {
            // The first epoch (whose first step times each convolution's candidate methods) is not counted.
            Profiler = (layer, phase, elapsed) =>
            {
                if (second.Started) totals[(layer, phase)] = totals.GetValueOrDefault((layer, phase)) + elapsed;
            },
        };
        using var model = Cnn(train.SampleShape, 1);
        model.Compile(OptimizerOptions.Sgd(0.1, momentum: 0.9), Loss.CrossEntropy());
        var history = model.Fit(slice, new FitOptions { Epochs = 2, BatchSize = batch, Seed = 1, Progress = ProgressMode.Silent, Plugins = [plugin] }, callbacks: [second]);
        var stepMs = history.Epochs[1]["seconds"] * 1000 / steps;
        Console.WriteLine($"DP step {stepMs:F0} ms (batch {batch}, second epoch's {steps} steps); per layer, ms/step:");
        foreach (var ((layer, phase), elapsed) in totals.OrderBy(t => t.Key))
            Console.WriteLine($"  {layer,-12} {phase,-6} {elapsed.TotalMilliseconds / steps,8:F1}");
    }

    private sealed class SecondEpoch : Callback
    {
        public bool Started { get; private set; }

        public override void OnEpochBegin(TrainingContext context) => Started = context.Epoch >= 1;
    }

    private static void Accuracy(TensorDataset train, TensorDataset test, BenchOptions options)
    {
        var epsilon = options.Double("epsilon", 3);
        var delta = options.Double("delta", 1e-5);
        var epochs = options.Int("epochs", 40);
        var batch = options.Int("batch", 2048);
        var lr = options.Double("lr", 4);
        var clip = options.Double("clip", 0.1);
        using var model = Cnn(train.SampleShape, options.Int("seed", 1));
        model.Compile(OptimizerOptions.Sgd(lr, momentum: options.Double("momentum", 0.9)), Loss.CrossEntropy(), ["accuracy"]);
        var plugin = new DpSgdPlugin(new DpSgdOptions { TargetEpsilon = epsilon, Delta = delta, MaxGradNorm = clip });
        Console.WriteLine($"DP-SGD accuracy: Fashion-MNIST {train.Count:N0} train / {test.Count:N0} test, target (ε, δ) = ({epsilon}, {delta:G}), {epochs} epochs, " +
                          $"expected batch {batch}, SGD lr {lr} momentum {options.Double("momentum", 0.9)}, C = {clip}, {model.ParameterCount:N0} parameters, {TorchRuntime.Threads} thread(s)");
        var clock = Stopwatch.StartNew();
        var history = model.Fit(train, new FitOptions { Epochs = epochs, BatchSize = batch, Seed = options.Int("seed", 1), Progress = ProgressMode.Lines, Plugins = [plugin] }, validation: test);
        Console.WriteLine($"σ = {plugin.NoiseMultiplier:F4}, q = {plugin.SampleRate:F5}, {plugin.Accountant.Steps} steps, final ε = {plugin.Epsilon:F3} at δ = {delta:G}");
        Console.WriteLine($"test accuracy after the last epoch: {history["val_accuracy"][^1]:P2} (best epoch {history["val_accuracy"].Max():P2}); {clock.Elapsed.TotalMinutes:F1} min");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
