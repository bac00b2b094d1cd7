using ModelLoop.Data;
using ModelLoop.Language.Adapters;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Language.Tests.Adapters;

public sealed class LoraPluginTests
{
    private static TensorDataset Windows()
    {
        var tokens = randint(0, 23, [33, 13], dtype: ScalarType.Int64, generator: new Generator(9)); // (N, T + 1)
        return new TensorDataset(tokens[.., ..12].contiguous(), tokens[.., 1..].contiguous());
    }

    [Fact]
    public void The_plugin_trains_only_the_adapter_and_leaves_the_base_as_it_found_it()
    {
        torch.manual_seed(1);
        using var model = SequenceZoo.Gpt(23, 12, layers: 1, heads: 2, width: 16);
        var checksum = LoraAdapter.ComputeBaseChecksum(model);
        using var adapter = LoraAdapter.Create(model, new LoraOptions { Rank = 2 });
        var plugin = LoraPlugin.Attach(model, adapter, mergeOnTrainEnd: false);
        model.Compile(OptimizerOptions.AdamW(1e-2, weightDecay: 0.5), Loss.CrossEntropy());
        using var data = Windows();

        model.Fit(data, new FitOptions { BatchSize = 8, Seed = 2, Plugins = [plugin] });

        Assert.Equal(checksum, LoraAdapter.ComputeBaseChecksum(model));            // weight decay moved nothing of the base
        Assert.False(adapter.IsApplied);                                            // removed, not merged
        Assert.All(model.Network.parameters(), p => Assert.True(p.requires_grad)); // the base is trainable again, as it was
        Assert.Contains(adapter.Layers.Values, m => m.WeightB.abs().max().item<float>() > 0); // B left zero: the adapter trained
    }

    [Fact]
    public void Merging_on_train_end_leaves_a_plain_model_that_computes_what_the_base_with_the_adapter_computes()
    {
        torch.manual_seed(1);
        using var model = SequenceZoo.Gpt(23, 12, layers: 1, heads: 2, width: 16);
        using var reference = SequenceZoo.Gpt(23, 12, layers: 1, heads: 2, width: 16);
        reference.Network.load_state_dict(model.Network.state_dict()); // the base, kept apart
        using var adapter = LoraAdapter.Create(model, new LoraOptions { Rank = 2 });
        model.Compile(OptimizerOptions.AdamW(1e-2), Loss.CrossEntropy());
        using var data = Windows();

        model.Fit(data, new FitOptions { BatchSize = 8, Seed = 2, Plugins = [LoraPlugin.Attach(model, adapter)] });

        Assert.DoesNotContain(model.Network.named_parameters(), p => LoraAdapter.IsAdapterParameter(p.name));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.Network.eval();
        reference.Network.eval();
        var merged = model.Network.forward(data.Features);
        using (adapter.ApplyTo(reference))
            Assert.True(reference.Network.forward(data.Features).allclose(merged, rtol: 0, atol: 1e-5));
        Assert.False(reference.Network.forward(data.Features).allclose(merged, rtol: 0, atol: 1e-4)); // the adapter trained
    }

    [Fact]
    public void A_trainable_predicate_that_unfreezes_the_base_is_refused_before_the_first_step()
    {
        torch.manual_seed(1);
        using var model = SequenceZoo.Gpt(23, 12, layers: 1, heads: 2, width: 16);
        var checksum = LoraAdapter.ComputeBaseChecksum(model);
        using var adapter = LoraAdapter.Create(model, new LoraOptions { Rank = 2 });
        var plugin = LoraPlugin.Attach(model, adapter, mergeOnTrainEnd: false);
        model.Compile(OptimizerOptions.AdamW(1e-2), Loss.CrossEntropy(), options: new CompileOptions { Trainable = _ => true });
        using var data = Windows();

        var error = Assert.Throws<ArgumentException>(() => model.Fit(data, new FitOptions { BatchSize = 8, Plugins = [plugin] }));

        Assert.Contains("base parameters (transformer.", error.Message);
        Assert.Contains("freeze", error.Message);
        Assert.Equal(checksum, LoraAdapter.ComputeBaseChecksum(model));
    }
}
