using System.Diagnostics;
using ModelLoop.Data;
using ModelLoop.Data.Augmentation;
using ModelLoop.Data.Loading;
using ModelLoop.Native;

namespace ModelLoop.Bench;

/// <summary>
/// `loader`: (1) wall time to load all 70,000 Fashion-MNIST images (target &lt; 1 s), (2) images/s the DataLoader
/// delivers for one epoch of the 60,000 training images with shuffling, flip + crop augmentation and background
/// prefetch, against the trainer's images/s (target ≥ 10×; the consumer only takes the batches, so this is the
/// ceiling the loader puts on training).
/// </summary>
internal static class LoaderBenchmark
{
    public static int Run(BenchOptions options)
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.Threads = options.Int("threads", 2);
        var directory = options.String("data", FashionMnist.DefaultDirectory);
        var rounds = options.Int("rounds", 5);
        var batch = options.Int("batch", 128);
        var trainerIps = options.Double("trainer-ips", 2063); // docs/benchmarks.md, time-to-accuracy: bf16 training images/s

        var loads = new List<double>();
        TensorDataset? train = null;
        for (var r = 0; r < rounds + 1; r++)
        {
            var clock = Stopwatch.StartNew();
            var (a, b) = FashionMnist.Load(directory);
            clock.Stop();
            if (r > 0)
                loads.Add(clock.Elapsed.TotalSeconds);   // round 0 warms the page cache and libtorch's allocator
            b.Dispose();
            if (train is null)
                train = a;
            else
                a.Dispose();
        }
        loads.Sort();
        Console.WriteLine($"Load all 70,000 Fashion-MNIST images (4 IDX .gz → float32 tensors): median {loads[loads.Count / 2]:F3} s, best {loads[0]:F3} s over {rounds} runs (target < 1 s)");

        var augment = new RandomFlip().Then(new RandomCrop(2));
        var cases = new (string Name, DataLoaderOptions Options)[]
        {
            ("shuffle only, no prefetch", new DataLoaderOptions { BatchSize = batch, Prefetch = 0 }),
            ("flip + crop(2), no prefetch", new DataLoaderOptions { BatchSize = batch, Prefetch = 0, Transform = augment }),
            ("flip + crop(2), prefetch 4", new DataLoaderOptions { BatchSize = batch, Prefetch = 4, Transform = augment }),
        };
        Console.WriteLine($"DataLoader over {train!.Count:N0} images, batch {batch}, {TorchRuntime.Threads} threads; trainer reference {trainerIps:N0} img/s");
        foreach (var (name, loaderOptions) in cases)
        {
            var loader = new DataLoader(train, loaderOptions);
            var best = double.MaxValue;
            for (var epoch = 0; epoch < 3; epoch++)
            {
                var clock = Stopwatch.StartNew();
                foreach (var b in loader.Epoch(epoch))
                    b.Dispose();
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
            }
            var ips = train.Count / best;
            Console.WriteLine($"  {name,-30} {ips,10:N0} img/s  ({ips / trainerIps:F1}× the trainer)");
        }
        train.Dispose();
        return 0;
    }
}
