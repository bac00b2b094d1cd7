using ModelLoop.Language.Adapters;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Language.Tests.Adapters;

public sealed class LoraAdapterTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lora-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    private static Sequential Base(int seed = 1)
    {
        torch.manual_seed(seed);
        var model = SequenceZoo.Gpt(31, 12, layers: 2, heads: 2, width: 16);
        model.Network.eval();
        return model;
    }

    private static Tensor Tokens() => randint(0, 31, [3, 12], dtype: ScalarType.Int64, generator: new Generator(7));

    private static Tensor Logits(Model model)
    {
        using var _ = no_grad();
        return model.Network.forward(Tokens());
    }

    // B is zero in a fresh adapter; give it values so the adapter changes the output.
    private static void Randomize(LoraAdapter adapter, int seed = 3)
    {
        torch.manual_seed(seed);
        using var _ = no_grad();
        foreach (var module in adapter.Layers.Values)
            module.WeightB.copy_(randn_like(module.WeightB) * 0.1);
    }

    [Fact]
    public void A_fresh_adapter_leaves_the_output_equal_to_the_base_until_it_is_trained()
    {
        using var model = Base();
        using var scope = NewDisposeScope();
        var before = Logits(model);
        using var adapter = LoraAdapter.Create(model, new LoraOptions { Rank = 4, Alpha = 8 });
        using (adapter.ApplyTo(model))
        {
            Assert.True(Logits(model).allclose(before, rtol: 0, atol: 0));
            Randomize(adapter);
            Assert.False(Logits(model).allclose(before, rtol: 0, atol: 1e-4)); // the hooks are live
        }
        Assert.True(Logits(model).allclose(before, rtol: 0, atol: 0)); // removed: the base is untouched
    }

    [Fact]
    public void Every_gpt_projection_is_adapted_by_default_and_a_pattern_narrows_the_targets()
    {
        using var model = Base();
        using var all = LoraAdapter.Create(model);
        using var attention = LoraAdapter.Create(model, new LoraOptions { Targets = ["attn.c_proj"] });

        Assert.Equal(8, all.Modules.Count); // 2 blocks × c_attn, attn.c_proj, c_fc, mlp.c_proj
        Assert.Equal(["transformer.h.0.attn.c_proj", "transformer.h.1.attn.c_proj"], attention.Modules);
        // rank 8 × (in + out) per module: c_attn 16+48, c_proj 16+16, c_fc 16+64, mlp.c_proj 64+16
        Assert.Equal(2 * 8 * (64 + 32 + 80 + 80), all.ParameterCount);
        Assert.Equal((double)all.ParameterCount / model.ParameterCount, all.SizeRatio, 12);
    }

    [Fact]
    public void Targets_that_match_no_linear_layer_are_refused_with_the_layer_names()
    {
        using var model = Base();
        var error = Assert.Throws<ArgumentException>(() => LoraAdapter.Create(model, new LoraOptions { Targets = ["q_proj"] }));
        Assert.Contains("q_proj", error.Message);
        Assert.Contains("transformer.h.0.attn.c_attn", error.Message);
    }

    [Fact]
    public void Merged_weights_compute_what_the_unmerged_adapter_computes()
    {
        using var model = Base();
        using var copy = Base();
        using var scope = NewDisposeScope();
        using var adapter = LoraAdapter.Create(model, new LoraOptions { Rank = 4, Alpha = 16 });
        Randomize(adapter);
        Tensor unmerged;
        using (adapter.ApplyTo(model))
            unmerged = Logits(model);

        adapter.MergeInto(copy);

        var merged = Logits(copy);
        Assert.False(merged.allclose(Logits(model), rtol: 0, atol: 1e-4)); // the merge changed the weights
        Assert.True(merged.allclose(unmerged, rtol: 0, atol: 1e-5), $"max difference {(merged - unmerged).abs().max().item<float>()}");
        Assert.Equal(copy.ParameterCount, copy.Network.parameters().Sum(p => p.numel())); // no adapter left in the merged model
    }

    [Fact]
    public void A_saved_adapter_loads_and_applies_with_the_same_output()
    {
        using var model = Base();
        using var scope = NewDisposeScope();
        using var adapter = LoraAdapter.Create(model, new LoraOptions { Rank = 2, Alpha = 4, Targets = ["c_attn", "c_fc"] }, baseName: "tiny");
        Randomize(adapter);
        Tensor expected;
        using (adapter.ApplyTo(model))
            expected = Logits(model);

        var bytes = adapter.Save(_folder);
        using var loaded = LoraAdapter.Load(_folder);

        Assert.True(bytes < 0.2 * model.ParameterCount * 4);
        Assert.Equal(adapter.Modules, loaded.Modules);
        Assert.Equal(adapter.BaseChecksum, loaded.BaseChecksum);
        Assert.Equal("tiny", loaded.BaseName);
        using (loaded.ApplyTo(model))
            Assert.True(Logits(model).allclose(expected, rtol: 0, atol: 0));
    }

    [Fact]
    public void An_adapter_is_refused_on_a_model_that_is_not_its_base()
    {
        using var model = Base(seed: 1);
        using var other = Base(seed: 2);
        using var adapter = LoraAdapter.Create(model, baseName: "base-v1");
        adapter.Save(_folder);
        using var loaded = LoraAdapter.Load(_folder);

        var error = Assert.Throws<LoraBaseMismatchException>(() => loaded.ApplyTo(other));
        Assert.Throws<LoraBaseMismatchException>(() => loaded.MergeInto(other));
        Assert.Equal(adapter.BaseChecksum, error.ExpectedChecksum);
        Assert.Contains("base-v1", error.Message);
        Assert.False(loaded.IsApplied);
    }

    [Fact]
    public void An_adapter_whose_weights_file_was_changed_is_refused_on_load()
    {
        using var model = Base();
        using var adapter = LoraAdapter.Create(model);
        adapter.Save(_folder);
        var weights = Path.Combine(_folder, LoraAdapter.WeightsFile);
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(weights, bytes);

        var error = Assert.Throws<InvalidDataException>(() => LoraAdapter.Load(_folder));
        Assert.Contains("checksum", error.Message);
    }

    [Fact]
    public void One_base_serves_several_adapters_in_turn()
    {
        using var model = Base();
        using var scope = NewDisposeScope();
        var baseLogits = Logits(model);
        using var first = LoraAdapter.Create(model);
        using var second = LoraAdapter.Create(model);
        Randomize(first, seed: 5);
        Randomize(second, seed: 6);

        Tensor a, b;
        using (first.ApplyTo(model))
        {
            Assert.Throws<InvalidOperationException>(() => second.ApplyTo(model));
            a = Logits(model);
        }
        using (second.ApplyTo(model))
            b = Logits(model);
        using (first.ApplyTo(model))
            Assert.True(Logits(model).allclose(a, rtol: 0, atol: 0));

        Assert.False(a.allclose(b, rtol: 0, atol: 1e-4));
        Assert.True(Logits(model).allclose(baseLogits, rtol: 0, atol: 0));
    }
}
