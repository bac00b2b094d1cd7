using System.Diagnostics;
using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Native;
using ModelLoop.Training;
using ModelLoop.Training.Recipes;
using static TorchSharp.torch;

namespace ModelLoop.Bench;

/// <summary>
/// Training throughput (images/s) of zoo models on random 28×28 images, float32 and bfloat16, through
/// <c>Fit</c>. Synthetic data, so it needs no dataset and isolates compute from data loading.
/// </summary>
internal static class Throughput
{
    public static int Run(BenchOptions options)
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.Threads = options.Int("threads", 2);
        var count = options.Int("images", 8192);
        var batch = options.Int("batch", 128);
        random.manual_seed(3);
        using var data = new TensorDataset(randn(count, 1, 28, 28), randint(0, 10, count));
        Console.WriteLine($"Throughput: {count} random 28×28 images, batch {batch}, {TorchRuntime.Threads} threads, native bf16: {TorchRuntime.CpuHasNativeBFloat16}");
        var recipe = new ImageClassifierRecipe();
        var models = new (string Name, Func<Sequential> Create)[]
        {
            ("keras-cnn", () => ModelZoo.KerasCnn(new Shape(1, 28, 28), 10)),
            ("bn-cnn [1,2,2] w32", () => recipe.CreateModel(new Shape(1, 28, 28), 10)),
            ("bn-cnn [2,2,2] w32", () => ModelZoo.BatchNormCnn(new Shape(1, 28, 28), 10, 32, [2, 2, 2])),
        };
        var only = options.String("model", "");
        foreach (var (name, create) in models.Where(m => m.Name.StartsWith(only, StringComparison.Ordinal)))
        {
            foreach (var precision in new[] { Precision.Float32, Precision.BFloat16 })
            {
                using var model = create();
                recipe.Compile(model);
                var fit = new FitOptions { Epochs = 1, BatchSize = batch, Seed = 1, Precision = precision, Progress = ProgressMode.Silent };
                var clock = Stopwatch.StartNew();
                model.Fit(data, fit); // warm-up epoch (allocator, kernels), reported separately
                var warmup = clock.Elapsed.TotalSeconds;
                clock.Restart();
                model.Fit(data, fit);
                Console.WriteLine($"  {name,-20} {precision,-9} {count / clock.Elapsed.TotalSeconds,8:F0} img/s   (first epoch {count / warmup:F0} img/s)");
            }
        }
        return 0;
    }
}
