using ModelLoop.Modeling;
using ModelLoop.Optimization.Pruning;
using ModelLoop.Training;
using static TorchSharp.torch;
using ModelLoop.Tests.Training;

namespace ModelLoop.Optimization.Tests.Pruning;

/// <summary>Unstructured magnitude pruning: exact counts, masks held through training and resume, the schedule, bad input.</summary>
public sealed class MagnitudePruningTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static Sequential Trained(long seed)
    {
        random.manual_seed(seed);
        var model = CompressionFixtures.SmallCnn();
        model.Compile(OptimizerOptions.Adam(0.01), Loss.CrossEntropy(), ["accuracy"]);
        return model;
    }

    /// <summary>Prunable tensors (rank ≥ 2) by name, copied.</summary>
    private static Dictionary<string, Tensor> Weights(Model model) =>
        model.Network.named_parameters().Where(p => p.parameter.dim() >= 2).ToDictionary(p => p.name, p => p.parameter.detach().clone());

    /// <summary>The set of (tensor, flat index) of the <paramref name="count"/> smallest |w| over all the given tensors.</summary>
    private static HashSet<(string, long)> Smallest(Dictionary<string, Tensor> weights, long count) =>
        weights.SelectMany(w => w.Value.abs().flatten().data<float>().ToArray().Select((v, i) => (w.Key, (long)i, v)))
            .OrderBy(t => t.v).Take((int)count).Select(t => (t.Key, t.Item2)).ToHashSet();

    private static HashSet<(string, long)> Zeros(Model model) =>
        Weights(model).SelectMany(w => w.Value.flatten().data<float>().ToArray().Select((v, i) => (w.Key, (long)i, v)))
            .Where(t => t.v == 0).Select(t => (t.Key, t.Item2)).ToHashSet();

    [Fact]
    public void Global_threshold_zeroes_the_requested_share_of_all_prunable_weights_and_only_the_smallest()
    {
        using var model = Trained(1);
        var before = Weights(model);
        var total = before.Values.Sum(w => w.numel());
        var biases = model.Network.named_parameters().Where(p => p.parameter.dim() == 1).ToDictionary(p => p.name, p => p.parameter.detach().clone());

        var report = MagnitudePruning.Apply(model, new PruningOptions { Sparsity = 0.73 });

        Assert.Equal(total, report.Elements);
        Assert.InRange(report.Zeros, (long)Math.Round(0.73 * total) - 1, (long)Math.Round(0.73 * total) + 1);
        Assert.Equal(Smallest(before, report.Zeros), Zeros(model));
        Assert.NotEqual(report.Layers.Min(l => l.Sparsity), report.Layers.Max(l => l.Sparsity)); // one threshold, uneven layers
        foreach (var (name, bias) in biases)
            Assert.True(bias.allclose(model.Network.get_parameter(name)!.detach(), 0, 0), $"{name} (rank 1) must not be pruned");
    }

    [Fact]
    public void Per_layer_scope_gives_every_tensor_the_requested_share()
    {
        using var model = Trained(2);

        var report = MagnitudePruning.Apply(model, new PruningOptions { Sparsity = 0.5, Scope = PruningScope.PerLayer, Exclude = ["dense_2."] });

        Assert.DoesNotContain(report.Layers, l => l.Name.StartsWith("dense_2.", StringComparison.Ordinal));
        foreach (var layer in report.Layers)
            Assert.InRange(layer.Zeros, (long)Math.Round(0.5 * layer.Elements) - 1, (long)Math.Round(0.5 * layer.Elements) + 1);
        Assert.Equal(0, SparsityReport.Measure(model).Layers.Single(l => l.Name.StartsWith("dense_2.", StringComparison.Ordinal)).Zeros);
    }

    [Fact]
    public void Masked_weights_stay_zero_through_fine_tuning_with_adam_and_weight_decay()
    {
        using var model = Trained(3);
        model.Compile(OptimizerOptions.AdamW(0.01, weightDecay: 0.1), Loss.CrossEntropy(), ["accuracy"]);
        var before = Weights(model);
        var expected = Smallest(before, (long)Math.Round(0.8 * before.Values.Sum(w => w.numel())));
        using var train = CompressionFixtures.Images(256, seed: 3);

        model.Fit(train, new FitOptions { Epochs = 3, BatchSize = 32, Seed = 3, Progress = ProgressMode.Silent, Plugins = [new MagnitudePruning(new PruningOptions { Sparsity = 0.8 })] });

        Assert.Equal(expected, Zeros(model));
        var after = Weights(model);
        Assert.Contains(after, w => !w.Value.allclose(before[w.Key] * (w.Value != 0), 0, 0)); // the kept weights did train
    }

    [Fact]
    public void Masks_are_kept_in_the_checkpoint_and_stay_zero_after_a_resume()
    {
        var checkpoint = _folder.File("prune.ckpt");
        using var train = CompressionFixtures.Images(256, seed: 4);
        HashSet<(string, long)> pruned;
        using (var first = Trained(4))
        {
            first.Fit(train, new FitOptions { Epochs = 2, BatchSize = 32, Seed = 4, CheckpointPath = checkpoint, Progress = ProgressMode.Silent, Plugins = [new MagnitudePruning(new PruningOptions { Sparsity = 0.6 })] });
            pruned = Zeros(first);
        }
        using var resumed = Trained(40); // other initial weights: only the checkpoint can bring the masks back
        var plugin = new MagnitudePruning(new PruningOptions { Sparsity = 0.6 });

        var history = resumed.Fit(train, new FitOptions { Epochs = 4, BatchSize = 32, Seed = 4, CheckpointPath = checkpoint, Progress = ProgressMode.Silent, Plugins = [plugin] });

        Assert.Equal(2, history.ResumedFromEpoch);
        Assert.Equal(pruned, Zeros(resumed));
        Assert.Equal(0.6, plugin.CurrentSparsity);
    }

    [Fact]
    public void Polynomial_schedule_follows_the_cubic_ramp_and_reaches_the_target_by_the_end_of_the_ramp()
    {
        var options = new PruningOptions { Sparsity = 0.9, InitialSparsity = 0.1, Schedule = PruningSchedule.Polynomial, RampSteps = 16, UpdateEvery = 4 };
        Assert.Equal(0.1, options.SparsityAt(0, 16), 12);
        Assert.Equal(0.9 + (0.1 - 0.9) * 0.125, options.SparsityAt(8, 16), 12);
        Assert.Equal(0.9, options.SparsityAt(16, 16), 12);
        Assert.Equal(0.9, options.SparsityAt(100, 16), 12);

        using var model = Trained(5);
        using var train = CompressionFixtures.Images(256, seed: 5); // 8 steps per epoch, ramp over 2 epochs
        var plugin = new MagnitudePruning(options);
        model.Fit(train, new FitOptions { Epochs = 3, BatchSize = 32, Seed = 5, Progress = ProgressMode.Silent, Plugins = [plugin] });

        var report = SparsityReport.Measure(model);
        Assert.Equal(0.9, plugin.CurrentSparsity);
        Assert.InRange(report.Zeros, (long)Math.Round(0.9 * report.Elements) - 1, (long)Math.Round(0.9 * report.Elements) + 1);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(-0.2)]
    public void A_sparsity_outside_zero_to_one_is_refused_naming_the_field_and_the_value(double sparsity)
    {
        var error = Assert.Throws<ArgumentException>(() => new MagnitudePruning(new PruningOptions { Sparsity = sparsity }));

        Assert.Contains("sparsity must be in (0, 1)", error.Message, StringComparison.Ordinal);
        Assert.Contains(sparsity.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_polynomial_schedule_without_ramp_steps_is_refused_with_what_to_set()
    {
        var error = Assert.Throws<ArgumentException>(() => new MagnitudePruning(new PruningOptions { Sparsity = 0.5, Schedule = PruningSchedule.Polynomial }));

        Assert.Contains("rampSteps", error.Message, StringComparison.Ordinal);
    }
}
