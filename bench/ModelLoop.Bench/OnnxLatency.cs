using System.Diagnostics;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Native;
using ModelLoop.Optimization.Onnx;
using static TorchSharp.torch;

namespace ModelLoop.Bench;

/// <summary>
/// ONNX Runtime (fp32, the exported graph) against TorchSharp on the same model and inputs: median batch-1 latency and
/// batched throughput, both with the same thread count (1 by default, the server's), measured interleaved (TorchSharp,
/// ONNX, TorchSharp, …) so drift in machine speed hits both. Models: the zoo's MLP, Keras CNN and batch-norm CNN on
/// 28×28 images and the LSTM classifier.
/// </summary>
internal static class OnnxLatency
{
    public static int Run(BenchOptions options)
    {
        TorchRuntime.EnsureLoaded();
        var threads = options.Int("threads", 1);
        TorchRuntime.Threads = threads;
        var iterations = options.Int("iterations", 300);
        var batch = options.Int("batch", 64);
        Console.WriteLine($"ONNX Runtime vs TorchSharp, fp32: batch-1 latency ({iterations} calls) and batch-{batch} throughput, {threads} thread(s)");
        Console.WriteLine($"{"model",-14}{"TorchSharp b1 ms",18}{"ONNX b1 ms",12}{"speed-up",10}{"TorchSharp img/s",18}{"ONNX img/s",12}{"ratio",8}");
        random.manual_seed(1);
        (string Name, Model Model)[] models =
        [
            ("mlp", ModelZoo.Mlp(new Shape(1, 28, 28), 10)),
            ("keras-cnn", ModelZoo.KerasCnn(new Shape(1, 28, 28), 10)),
            ("bn-cnn", ModelZoo.BatchNormCnn(new Shape(1, 28, 28), 10)),
            ("lstm", SequenceZoo.LstmClassifier(64, 1000, 2)),
        ];
        foreach (var (name, model) in models)
        {
            using (model)
            {
                model.Network.eval();
                using var session = new OnnxModel(OnnxExporter.Export(model), new OnnxModelOptions { IntraOpThreads = threads });
                using var one = OnnxVerification.RandomInputs(model, 1, seed: 2);
                using var many = OnnxVerification.RandomInputs(model, batch, seed: 3);
                var (torchOne, onnxOne) = Interleaved(model, session, one, iterations);
                var (torchMany, onnxMany) = Interleaved(model, session, many, Math.Max(5, iterations / 20));
                Console.WriteLine($"{name,-14}{torchOne * 1e3,18:F3}{onnxOne * 1e3,12:F3}{torchOne / onnxOne,10:F2}{batch / torchMany,18:F0}{batch / onnxMany,12:F0}{torchMany / onnxMany,8:F2}");
            }
        }
        return 0;
    }

    // Median seconds per call of each runtime, alternating calls after a warm-up of each.
    private static (double Torch, double Onnx) Interleaved(Model model, OnnxModel session, Tensor inputs, int iterations)
    {
        var torch = new List<double>(iterations);
        var onnx = new List<double>(iterations);
        var floats = inputs.dtype == ScalarType.Float32 ? inputs.data<float>().ToArray() : null;
        var ids = inputs.dtype == ScalarType.Int64 ? inputs.data<long>().ToArray() : null;
        var shape = inputs.shape;
        void RunTorch()
        {
            // As Model.Predict and the server run it: no gradients, every intermediate freed at once.
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            model.Network.forward(inputs);
        }
        void RunOnnx() => _ = ids is null ? session.Run(floats!, shape) : session.Run(ids, shape);
        for (var i = 0; i < 10; i++)
        {
            RunTorch();
            RunOnnx();
        }
        for (var i = 0; i < iterations; i++)
        {
            var clock = Stopwatch.StartNew();
            RunTorch();
            torch.Add(clock.Elapsed.TotalSeconds);
            clock.Restart();
            RunOnnx();
            onnx.Add(clock.Elapsed.TotalSeconds);
        }
        return (Median(torch), Median(onnx));
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
