using ModelLoop.Data;
using ModelLoop.Data.Loading;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Native;
using ModelLoop.Privacy.Accounting;
using ModelLoop.Privacy.PerSample;
using ModelLoop.Privacy.Sgd;
using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Privacy.Tests.Sgd;

public class DpSgdPluginTests
{
    public DpSgdPluginTests() => TorchRuntime.EnsureLoaded();

    private static TensorDataset Data(int n, int seed = 3)
    {
        random.manual_seed(seed);
        var x = randn(n, 4);
        var y = (x.select(1, 0) + x.select(1, 1) > 0).to(int64) + (x.select(1, 2) > 1).to(int64);
        return new TensorDataset(x, y);
    }

    private static Sequential Mlp(double lr = 0.1, Layer? middle = null)
    {
        random.manual_seed(11);
        var model = new Sequential(4) { new Dense(8, Activation.Tanh) };
        if (middle is not null) model.Add(middle);
        model.Add(new Dense(3));
        model.Compile(OptimizerOptions.Sgd(lr), Loss.CrossEntropy(), ["accuracy"]);
        return model;
    }

    private static float[] Weights(Model m) => [.. m.Network.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray())];

    [Fact]
    public void Without_noise_or_clipping_a_full_batch_step_equals_the_plain_gradient_step()
    {
        var data = Data(40);
        var plain = Mlp();
        plain.Fit(data, new FitOptions { Epochs = 2, BatchSize = 40, Shuffle = false, Progress = ProgressMode.Silent, Seed = 1 });
        var dp = Mlp();
        // q = 1: Poisson sampling takes every sample; C = 1e6 clips nothing; σ = 0 adds nothing.
        var plugin = new DpSgdPlugin(new DpSgdOptions { NoiseMultiplier = 0, MaxGradNorm = 1e6, Delta = 1e-3 });
        dp.Fit(data, new FitOptions { Epochs = 2, BatchSize = 40, Progress = ProgressMode.Silent, Seed = 1, Plugins = [plugin] });

        var (a, b) = (Weights(plain), Weights(dp));
        for (var i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - b[i]) < 1e-5, $"weight {i}: plain {a[i]} vs DP {b[i]}");
    }

    [Fact]
    public void Clipping_bounds_the_update_by_the_learning_rate_times_the_clip_norm()
    {
        var data = Data(40);
        var model = Mlp(lr: 1.0);
        var before = Weights(model);
        var plugin = new DpSgdPlugin(new DpSgdOptions { NoiseMultiplier = 0, MaxGradNorm = 1e-3, Delta = 1e-3 });
        model.Fit(data, new FitOptions { Epochs = 1, BatchSize = 40, Progress = ProgressMode.Silent, Plugins = [plugin] });

        var after = Weights(model);
        var change = Math.Sqrt(before.Zip(after, (x, y) => (double)(x - y) * (x - y)).Sum());
        // The step is the mean of 40 per-sample gradients each clipped to norm 1e-3, times lr = 1.
        Assert.InRange(change, 1e-6, 1e-3 + 1e-7);
    }

    [Fact]
    public void Epsilon_is_logged_every_epoch_and_the_calibrated_run_ends_at_the_target()
    {
        var data = Data(200);
        var plugin = new DpSgdPlugin(new DpSgdOptions { TargetEpsilon = 2, Delta = 1e-3, NoiseSeed = 5 });
        var history = Mlp().Fit(data, new FitOptions { Epochs = 3, BatchSize = 50, Progress = ProgressMode.Silent, Plugins = [plugin] });

        var eps = history[DpSgdPlugin.EpsilonKey];
        Assert.Equal(3, eps.Count);
        Assert.True(eps[0] < eps[1] && eps[1] < eps[2]);
        Assert.InRange(eps[2], 2 - 0.011, 2.0);
        Assert.Equal(12, plugin.Accountant.Steps); // 4 batches an epoch, empty or not
        Assert.Equal(RdpAccountant.Epsilon(plugin.NoiseMultiplier, 0.25, 8, 1e-3), eps[1], 9);
    }

    [Fact]
    public void Poisson_batches_vary_in_size_around_the_expected_batch_size()
    {
        var loader = new DataLoader(Data(1000), new DataLoaderOptions { BatchSize = 100, Sampling = BatchSampling.Poisson, Prefetch = 0, Seed = 4 });
        var sizes = loader.Epoch(0).Select(b => { using var _ = b; return b.Count; }).ToList();
        Assert.Equal(10, sizes.Count);
        Assert.True(sizes.Distinct().Count() > 1, "every Poisson batch had the same size");
        Assert.InRange(sizes.Average(), 80, 120);
    }

    [Fact]
    public void A_delta_of_one_over_n_or_more_is_refused_naming_both()
    {
        var plugin = new DpSgdPlugin(new DpSgdOptions { TargetEpsilon = 3, Delta = 0.01 });
        var ex = Assert.Throws<ArgumentException>(() => Mlp().Fit(Data(200), new FitOptions { BatchSize = 50, Progress = ProgressMode.Silent, Plugins = [plugin] }));
        Assert.Contains("delta = 0.01", ex.Message);
        Assert.Contains("N = 200", ex.Message);
    }

    [Fact]
    public void A_non_positive_epsilon_is_refused()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new DpSgdPlugin(new DpSgdOptions { TargetEpsilon = 0 }));
        Assert.Contains("epsilon = 0", ex.Message);
    }

    [Fact]
    public void A_model_with_BatchNorm_is_refused_before_training_with_a_GroupNorm_suggestion()
    {
        var plugin = new DpSgdPlugin(new DpSgdOptions { TargetEpsilon = 3, Delta = 1e-4 });
        var model = Mlp(middle: new BatchNorm());
        var ex = Assert.Throws<UnsupportedLayerException>(() => model.Fit(Data(200), new FitOptions { BatchSize = 50, Progress = ProgressMode.Silent, Plugins = [plugin] }));
        Assert.Contains("GroupNorm", ex.Message);
    }

    [Fact]
    public void The_accountant_survives_a_checkpoint_round_trip()
    {
        var plugin = new DpSgdPlugin(new DpSgdOptions { NoiseMultiplier = 1.2, Delta = 1e-5 });
        plugin.Accountant.Step(1.2, 0.01, 250);
        var restored = new DpSgdPlugin(new DpSgdOptions { NoiseMultiplier = 1.2, Delta = 1e-5 });
        restored.LoadState(plugin.SaveState()!);
        Assert.Equal(plugin.Epsilon, restored.Epsilon);
        Assert.Equal(250, restored.Accountant.Steps);
    }
}
