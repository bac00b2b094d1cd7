using ModelLoop.Data;
using ModelLoop.Loop;
using static TorchSharp.torch;

namespace ModelLoop.Federated.Tests;

/// <summary>Small generated data and a small MLP config shared by the tests.</summary>
internal static class TestData
{
    public const int Features = 8, Classes = 3;

    /// <summary>A 3-class problem: the class is the argmax of three fixed linear scores of 8 Gaussian features.</summary>
    public static TensorDataset Make(int count, int seed)
    {
        ModelLoop.Native.TorchRuntime.EnsureLoaded();
        var generator = new Generator((ulong)seed);
        var x = randn([count, Features], generator: generator);
        var w = tensor(new float[] { 1, -1, 0.5f, 0, 0, 1, -0.5f, 0.2f, -1, 0.3f, 1, 0.5f, 0.1f, -0.2f, 0.7f, -1, 0.4f, 0.4f, -0.6f, 1, 0.9f, -0.3f, 0, 0.5f }).reshape(Classes, Features);
        var y = x.matmul(w.t()).argmax(1);
        return new TensorDataset(x, y);
    }

    public static TrainingConfig Config(int? hidden = 16) => new()
    {
        Model = new ModelConfig { Zoo = "mlp", Hidden = hidden is { } h ? [h] : [], Dropout = 0 },
        Optimizer = new OptimizerConfig { Name = "sgd", LearningRate = 0.1 },
        BatchSize = 16,
        Seed = 1,
    };
}
