using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Training;

/// <summary>Small seeded data sets, models and weight snapshots shared by the training tests.</summary>
internal static class TrainingFixtures
{
    /// <summary>
    /// A linearly separable classification task: features (n, features) ~ N(0, 1), label = argmax of x·W
    /// for a random W (classes columns). Everything comes from one generator seeded with <paramref name="seed"/>.
    /// </summary>
    public static TensorDataset Classification(long n, long features = 4, int classes = 3, long seed = 1)
    {
        using var generator = new Generator().manual_seed(seed);
        var x = randn(n, features, generator: generator);
        using var w = randn(features, classes, generator: generator);
        using var logits = x.matmul(w);
        return new TensorDataset(x, logits.argmax(1));
    }

    /// <summary>The same features with every label moved to the next class: what the model learns makes this worse.</summary>
    public static TensorDataset WithShiftedLabels(TensorDataset data, int classes)
    {
        using var shifted = data.Labels + 1;
        return new TensorDataset(data.Features.clone(), shifted.remainder(classes));
    }

    /// <summary>Dense(16, relu) → Dense(classes), initialised from <paramref name="initSeed"/> and compiled.</summary>
    public static Sequential Classifier(long features = 4, int classes = 3, long initSeed = 7, OptimizerOptions? optimizer = null,
        CompileOptions? options = null, double dropout = 0)
    {
        var model = new Sequential(features) { new Dense(16, Activation.Relu) };
        if (dropout > 0)
            model.Add(new Dropout(dropout));
        model.Add(new Dense(classes));
        BuildSeeded(model, initSeed);
        model.Compile(optimizer ?? OptimizerOptions.Adam(0.01), Loss.CrossEntropy(), ["accuracy"], options);
        return model;
    }

    /// <summary>Builds the module right after seeding the global RNG, so the initial weights depend only on the seed.</summary>
    public static void BuildSeeded(Model model, long initSeed)
    {
        torch.random.manual_seed(initSeed);
        _ = model.Network;
    }

    public static FitOptions Options(int epochs = 3, int batchSize = 32, long seed = 11) =>
        new() { Epochs = epochs, BatchSize = batchSize, Seed = seed, Progress = ProgressMode.Silent };

    /// <summary>Every parameter and buffer by name, as raw bytes (bit-exact comparison).</summary>
    public static Dictionary<string, byte[]> Snapshot(Model model)
    {
        using var scope = NewDisposeScope();
        return model.Network.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().contiguous().bytes.ToArray());
    }

    /// <summary>All floating-point parameters flattened into one float64 vector, in state-dict order.</summary>
    public static double[] FlatParameters(Model model)
    {
        using var scope = NewDisposeScope();
        return model.Network.parameters().SelectMany(p => p.detach().to(ScalarType.Float64).reshape(-1).data<double>().ToArray()).ToArray();
    }

    public static void AssertSameWeights(IReadOnlyDictionary<string, byte[]> expected, IReadOnlyDictionary<string, byte[]> actual)
    {
        Assert.Equal(expected.Keys.OrderBy(k => k), actual.Keys.OrderBy(k => k));
        foreach (var (name, bytes) in expected)
            Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"Weights '{name}' differ.");
    }

    public static bool SameWeights(IReadOnlyDictionary<string, byte[]> a, IReadOnlyDictionary<string, byte[]> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var other) && p.Value.AsSpan().SequenceEqual(other));

    public static double Norm(IEnumerable<double> values) => Math.Sqrt(values.Sum(v => v * v));

    /// <summary>Runs <paramref name="body"/> with libtorch on one intra-op thread, then restores the previous count.</summary>
    public static void SingleThreaded(Action body)
    {
        var previous = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            body();
        }
        finally
        {
            torch.set_num_threads(previous);
        }
    }
}
