using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Native;
using ModelLoop.Optimization.Onnx;
using ModelLoop.Optimization.Quantization;
using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Bench;

/// <summary>
/// int8 quantization through ONNX Runtime against the fp32 TorchSharp model: the seed's Keras CNN trained a few epochs
/// on Fashion-MNIST, exported, statically quantized (512 training images calibrate), then batch-1 latency (median of
/// single calls), batched throughput (the 10k test images in batches of --batch) and test accuracy of fp32 TorchSharp,
/// int8 ONNX Runtime and, for context, fp32 ONNX Runtime — each at the same thread count (1 and 2). The sides are
/// interleaved (A, B, C, A, B, C…) in short slices so load from other processes hits all of them alike.
/// Targets (issue 12): int8 ≥ 2× fp32 TorchSharp in latency and throughput, ≥ 3.5× smaller, ≤ 0.5 point loss.
/// </summary>
internal static class QuantizationBench
{
    private static readonly RunOptions RunOptions = new();

    public static int Run(BenchOptions options)
    {
        TorchRuntime.EnsureLoaded();
        var epochs = options.Int("epochs", 3);
        var batch = options.Int("batch", 256);
        var rounds = options.Int("rounds", 5);
        var calls = options.Int("calls", 300);
        var threadCounts = options.Ints("threads", [1, 2]);
        TorchRuntime.Threads = threadCounts.Max();
        var (train, test) = FashionMnist.Load(options.String("data", FashionMnist.DefaultDirectory), trainLimit: options.Int("limit", 60000));
        Console.WriteLine($"Quantization: seed Keras CNN, {train.Count} training images, {epochs} epochs; {test.Count} test images; CPU {Environment.ProcessorCount} cores");

        random.manual_seed(7);
        using var model = ModelZoo.KerasCnn(new Shape(1, 28, 28), 10);
        model.Compile(OptimizerOptions.Adam(), Loss.CrossEntropy());
        var clock = Stopwatch.StartNew();
        model.Fit(train, new FitOptions { Epochs = epochs, BatchSize = 64, Seed = 7, Progress = ProgressMode.Lines });
        Console.WriteLine($"trained in {clock.Elapsed.TotalSeconds:F0} s");

        var fp32Onnx = OnnxExporter.Export(model);
        var save = options.String("save", "");
        clock.Restart();
        var calibration = QuantizationJob.CalibrationBatches(train, new QuantizationOptions(), seed: 0);
        var quantized = OnnxQuantizer.Quantize(fp32Onnx, new QuantizationOptions(), calibration);
        if (save.Length > 0)
        {
            Directory.CreateDirectory(save);
            File.WriteAllBytes(Path.Combine(save, "fp32.onnx"), fp32Onnx);
            File.WriteAllBytes(Path.Combine(save, "int8.onnx"), quantized.Bytes);
        }
        Console.WriteLine($"quantized ({quantized.Mode}, {calibration.Sum(b => b.Dimensions[0])} calibration images) in {clock.Elapsed.TotalSeconds:F1} s");

        var labels = test.Labels.data<long>().ToArray();
        var images = test.Features.contiguous().data<float>().ToArray();
        var network = model.Network;
        network.eval();
        Console.WriteLine();
        Console.WriteLine($"size: fp32 weights {model.ParameterCount * 4L:N0} B (ONNX file {quantized.Fp32Bytes:N0} B); int8 weights {quantized.WeightBytes:N0} B " +
            $"(ONNX file {quantized.Bytes.Length:N0} B): {quantized.WeightSizeRatio:F2}× smaller weights, {quantized.SizeRatio:F2}× smaller file (target ≥ 3.5×)");

        foreach (var threads in threadCounts)
        {
            TorchRuntime.Threads = threads;
            using var int8 = Session(quantized.Bytes, threads);
            using var fp32Ort = Session(fp32Onnx, threads);
            var sides = new (string Name, Func<float[], int, float[]> Forward)[]
            {
                ("fp32 TorchSharp", (x, n) => TorchForward(network, x, n)),
                ("int8 ONNX Runtime", (x, n) => OrtForward(int8, x, n)),
                ("fp32 ONNX Runtime", (x, n) => OrtForward(fp32Ort, x, n)),
            };
            var accuracy = sides.Select(s => Accuracy(s.Forward, images, labels, batch)).ToArray();
            var latency = sides.Select(_ => new List<double>()).ToArray();
            var throughput = sides.Select(_ => new List<double>()).ToArray();
            foreach (var side in sides)
                side.Forward(images[..784], 1); // warm-up
            for (var round = 0; round < rounds; round++)
            {
                // The order rotates each slice and round, so no side always runs right after another (whose spinning
                // threads or cache footprint it would inherit).
                for (var slice = 0; slice < 10; slice++)
                    foreach (var s in Rotation(sides.Length, round + slice))
                        latency[s].AddRange(Latencies(sides[s].Forward, images, round * 10 + slice, calls / 10));
                foreach (var s in Rotation(sides.Length, round))
                    throughput[s].Add(Throughput(sides[s].Forward, images, batch));
                if (options.Flag("verbose"))
                    Console.WriteLine($"  round {round + 1}: img/s " + string.Join(", ", sides.Select((side, s) => $"{side.Name} {throughput[s][^1]:F0}")));
            }
            Console.WriteLine();
            Console.WriteLine($"{threads} thread(s), {rounds} interleaved rounds: batch-1 latency = median of {latency[0].Count} calls; throughput = median img/s over the test set in batches of {batch}");
            Console.WriteLine($"  {"",-18} {"latency ms",10} {"img/s",9} {"accuracy",9}");
            for (var s = 0; s < sides.Length; s++)
                Console.WriteLine($"  {sides[s].Name,-18} {Median(latency[s]),10:F4} {Median(throughput[s]),9:F0} {accuracy[s],9:P2}");
            Console.WriteLine($"  int8 vs fp32 TorchSharp: latency {Median(latency[0]) / Median(latency[1]):F2}× faster, throughput {Median(throughput[1]) / Median(throughput[0]):F2}×, " +
                $"accuracy {(accuracy[1] - accuracy[0]) * 100:+0.00;-0.00} points (targets ≥ 2×, ≥ 2×, ≥ −0.5)");
        }
        return 0;
    }

    private static IEnumerable<int> Rotation(int count, int shift) => Enumerable.Range(0, count).Select(i => (i + shift) % count);

    private static InferenceSession Session(byte[] model, int threads) =>
        new(model, new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = threads, InterOpNumThreads = 1 });

    /// <summary>The plain TorchSharp inference call: eval mode, no autograd, one forward, outputs copied out.</summary>
    private static float[] TorchForward(TorchSharp.torch.nn.Module<Tensor, Tensor> network, float[] x, int n)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        using var input = tensor(x, [n, 1, 28, 28]);
        return network.forward(input).data<float>().ToArray();
    }

    private static float[] OrtForward(InferenceSession session, float[] x, int n)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(x, [n, 1, 28, 28]);
        using var outputs = session.Run(RunOptions, ["input"], [input], ["output"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static IEnumerable<double> Latencies(Func<float[], int, float[]> forward, float[] images, int offset, int count)
    {
        var result = new double[count];
        for (var i = 0; i < count; i++)
        {
            var image = images.AsSpan((offset * count + i) % 10000 * 784, 784).ToArray();
            var start = Stopwatch.GetTimestamp();
            forward(image, 1);
            result[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return result;
    }

    private static double Throughput(Func<float[], int, float[]> forward, float[] images, int batch)
    {
        var count = images.Length / 784;
        var batches = Enumerable.Range(0, (count + batch - 1) / batch).Select(b => images[(b * batch * 784)..(Math.Min(count, (b + 1) * batch) * 784)]).ToArray();
        var start = Stopwatch.GetTimestamp();
        foreach (var x in batches)
            forward(x, x.Length / 784);
        return count / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static double Accuracy(Func<float[], int, float[]> forward, float[] images, long[] labels, int batch)
    {
        var correct = 0;
        for (var start = 0; start < labels.Length; start += batch)
        {
            var n = Math.Min(batch, labels.Length - start);
            var outputs = forward(images[(start * 784)..((start + n) * 784)], n);
            for (var i = 0; i < n; i++)
                correct += Enumerable.Range(0, 10).MaxBy(c => outputs[i * 10 + c]) == labels[start + i] ? 1 : 0;
        }
        return (double)correct / labels.Length;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
