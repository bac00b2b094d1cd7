using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Optimization.Pruning;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Tests.Pruning;

/// <summary>Structured pruning: the sliced model computes what the original computes with the removed channels zeroed.</summary>
public sealed class ChannelPruningTests
{
    /// <summary>A model with random BatchNorm statistics and affine terms, so slicing them wrongly shows.</summary>
    private static Sequential RandomizedCnn(long seed)
    {
        random.manual_seed(seed);
        var model = CompressionFixtures.SmallCnn();
        using var _ = no_grad();
        foreach (var (name, buffer) in model.Network.named_buffers().Where(b => b.name.Contains("running_", StringComparison.Ordinal)))
            buffer.copy_(name.EndsWith("var", StringComparison.Ordinal) ? rand_like(buffer) + 0.5 : randn_like(buffer));
        foreach (var (name, parameter) in model.Network.named_parameters().Where(p => p.parameter.dim() == 1))
            parameter.copy_(randn_like(parameter));
        return model;
    }

    /// <summary>Zeroes, in the original, everything that makes a removed output non-zero: its weights and bias, and its BatchNorm's scale and shift.</summary>
    private static void ZeroRemoved(Sequential model, ChannelPruningResult result, IReadOnlyDictionary<string, string> normAfter)
    {
        using var _ = no_grad();
        foreach (var layer in result.Layers)
        {
            var removed = Enumerable.Range(0, (int)layer.Before).Select(i => (long)i).Except(layer.Kept).ToArray();
            var index = tensor(removed);
            var prefixes = new List<string> { layer.Name + "." };
            if (normAfter.TryGetValue(layer.Name, out var norm))
                prefixes.Add(norm + ".");
            foreach (var (name, parameter) in model.Network.named_parameters().Where(p => prefixes.Any(prefix => p.name.StartsWith(prefix, StringComparison.Ordinal))))
                parameter.index_fill_(0, index, 0);
        }
    }

    [Fact]
    public void The_smaller_model_gives_the_outputs_of_the_original_with_the_removed_channels_zeroed()
    {
        using var original = RandomizedCnn(7);
        var result = ChannelPruning.Prune(original, 0.5);
        using var smaller = result.Model;
        ZeroRemoved(original, result, new Dictionary<string, string> { ["conv2d_1"] = "batchnorm_1" });
        using var x = rand(16, 1, 8, 8);

        original.Network.eval();
        smaller.Network.eval();
        using var expected = original.Network.forward(x);
        using var actual = smaller.Network.forward(x);

        Assert.Equal(["conv2d_1", "conv2d_2", "dense_1"], result.Layers.Select(l => l.Name));
        Assert.Equal([8, 8, 5], result.Layers.Select(l => l.After));
        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-5), $"largest difference {(actual - expected).abs().max().item<float>()}");
        Assert.True(smaller.ParameterCount < original.ParameterCount / 2, $"{smaller.ParameterCount} parameters of {original.ParameterCount}");
    }

    [Fact]
    public void The_kept_channels_are_those_of_largest_l1_norm()
    {
        using var original = RandomizedCnn(8);
        var weight = original.Network.named_parameters().Single(p => p.name.StartsWith("conv2d_1.", StringComparison.Ordinal) && p.parameter.dim() == 4).parameter;
        var norms = weight.detach().abs().sum([1, 2, 3]).data<float>().ToArray();

        var result = ChannelPruning.Prune(original, 0.5);
        result.Model.Dispose();

        var expected = norms.Select((n, i) => (n, (long)i)).OrderByDescending(t => t.n).Take(8).Select(t => t.Item2).Order();
        Assert.Equal(expected, result.Layers[0].Kept);
    }

    [Fact]
    public void The_seed_keras_cnn_loses_half_its_filters_and_hidden_units_and_keeps_its_head()
    {
        using var model = ModelZoo.KerasCnn(new Shape(1, 28, 28), 10);

        var result = ChannelPruning.Prune(model, 0.5);
        using var smaller = result.Model;

        Assert.Equal(new[] { ("conv2d_1", 32L, 16), ("dense_1", 128L, 64) }, result.Layers.Select(l => (l.Name, l.Before, l.After)));
        Assert.Equal(new Shape(10), smaller.OutputShape);
        Assert.True(smaller.ParameterCount < model.ParameterCount / 3);
    }

    [Fact]
    public void A_model_whose_convolutions_all_feed_residual_blocks_is_refused_with_what_to_do()
    {
        using var model = ModelZoo.ResNet18(new Shape(1, 8, 8), 3, width: 4, blocksPerStage: [1]);

        var error = Assert.Throws<ArgumentException>(() => ChannelPruning.Prune(model, 0.5));

        Assert.Contains("Residual", error.Message, StringComparison.Ordinal);
        Assert.Contains("PruningStructure.Weights", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    public void A_fraction_outside_zero_to_one_is_refused_naming_the_field(double fraction)
    {
        using var model = CompressionFixtures.SmallCnn();

        var error = Assert.Throws<ArgumentException>(() => ChannelPruning.Prune(model, fraction));

        Assert.Contains("sparsity", error.Message, StringComparison.Ordinal);
    }
}
