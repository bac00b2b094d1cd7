using System.Diagnostics;
using ModelLoop.Modeling;
using static TorchSharp.torch;

namespace ModelLoop.Bench;

/// <summary>Inference speed of a model in evaluation mode without gradients: batch-1 latency and batched throughput.</summary>
internal static class CompressionLatency
{
    /// <summary>Median milliseconds of one forward pass of a single image, over <paramref name="rounds"/> after a warm-up.</summary>
    public static double Batch1Milliseconds(Model model, Tensor images, int rounds)
    {
        model.Network.eval();
        using var _ = no_grad();
        var times = new double[rounds];
        for (var i = -20; i < rounds; i++)
        {
            using var scope = NewDisposeScope();
            var x = images[i < 0 ? 0 : i % images.shape[0]].unsqueeze(0); // (1, 1, 28, 28)
            var clock = Stopwatch.StartNew();
            model.Network.forward(x);
            if (i >= 0)
                times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[rounds / 2];
    }

    /// <summary>Images per second through forward passes of <paramref name="batch"/> images, best of three passes over the images.</summary>
    public static double ImagesPerSecond(Model model, Tensor images, int batch)
    {
        model.Network.eval();
        using var _ = no_grad();
        var best = 0.0;
        for (var pass = 0; pass < 4; pass++)
        {
            var clock = Stopwatch.StartNew();
            for (long start = 0; start < images.shape[0]; start += batch)
            {
                using var scope = NewDisposeScope();
                model.Network.forward(images.narrow(0, start, Math.Min(batch, images.shape[0] - start)));
            }
            if (pass > 0) // the first pass warms the allocator and kernels
                best = Math.Max(best, images.shape[0] / clock.Elapsed.TotalSeconds);
        }
        return best;
    }
}
