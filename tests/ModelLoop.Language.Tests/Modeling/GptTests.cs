using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Modeling.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Language.Tests.Modeling;

public sealed class GptTests
{
    private static Sequential Tiny(int vocabulary = 29, int block = 16, int layers = 2, int heads = 2, int width = 24, bool bias = true, double dropout = 0.0)
    {
        torch.manual_seed(1);
        return SequenceZoo.Gpt(vocabulary, block, layers, heads, width, dropout, bias);
    }

    [Fact]
    public void Logits_have_one_row_per_position_and_one_column_per_token()
    {
        using var model = Tiny();
        using var scope = NewDisposeScope();
        Assert.Equal(new Shape(16, 29), model.OutputShape);
        Assert.Equal([3L, 16, 29], model.Network.forward(randint(0, 29, [3, 16], dtype: ScalarType.Int64)).shape);
        Assert.Equal([3L, 5, 29], model.Network.forward(randint(0, 29, [3, 5], dtype: ScalarType.Int64)).shape);
    }

    [Fact]
    public void The_spec_names_the_gpts_vocabulary_so_servers_can_check_token_ids_before_batching()
    {
        using var model = Tiny(vocabulary: 37);
        Assert.Equal(37, model.ToSpec().VocabularySize);
    }

    [Fact]
    public void Changing_token_t_leaves_every_earlier_position_unchanged()
    {
        using var model = Tiny();
        model.Network.eval();
        using var scope = NewDisposeScope();
        var ids = randint(0, 29, [1, 16], dtype: ScalarType.Int64);
        var changed = ids.clone();
        changed[0, 9] = (ids[0, 9] + 1) % 29;
        using var _ = no_grad();
        var before = model.Network.forward(ids);
        var after = model.Network.forward(changed);

        Assert.True(before[.., ..9].allclose(after[.., ..9], rtol: 0, atol: 1e-6));
        Assert.False(before[.., 9..].allclose(after[.., 9..], rtol: 0, atol: 1e-4));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_parameter_count_is_gpt2s_formula(bool bias)
    {
        const long V = 29, T = 16, L = 2, D = 24;
        using var model = Tiny(bias: bias);
        var perLayer = bias ? 12 * D * D + 13 * D : 12 * D * D + 2 * D;
        Assert.Equal(V * D + T * D + L * perLayer + (bias ? 2 : 1) * D, model.ParameterCount);
        Assert.Equal(model.ParameterCount, model.Network.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Parameter_names_follow_hugging_faces_gpt2_layout()
    {
        using var model = Tiny(layers: 1);
        var names = model.Network.named_parameters().Select(p => p.name).ToList();
        Assert.Equal(
        [
            "transformer.wte.weight", "transformer.wpe.weight",
            "transformer.h.0.ln_1.weight", "transformer.h.0.ln_1.bias",
            "transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.c_attn.bias",
            "transformer.h.0.attn.c_proj.weight", "transformer.h.0.attn.c_proj.bias",
            "transformer.h.0.ln_2.weight", "transformer.h.0.ln_2.bias",
            "transformer.h.0.mlp.c_fc.weight", "transformer.h.0.mlp.c_fc.bias",
            "transformer.h.0.mlp.c_proj.weight", "transformer.h.0.mlp.c_proj.bias",
            "transformer.ln_f.weight", "transformer.ln_f.bias",
        ], names);
    }

    [Fact]
    public void The_output_head_is_the_token_embedding_itself()
    {
        using var model = Tiny();
        model.Network.eval();
        using var scope = NewDisposeScope();
        var wte = model.Network.named_parameters().Single(p => p.name == "transformer.wte.weight").parameter;
        using (no_grad())
            wte[5].zero_();
        using var _ = no_grad();
        var logits = model.Network.forward(randint(0, 29, [2, 16], dtype: ScalarType.Int64));

        // logits = h · wteᵀ, so a zero embedding row gives a zero logit for that token everywhere.
        Assert.Equal(0.0, logits[.., .., 5].abs().max().item<float>(), 6);
        Assert.True(logits[.., .., 4].abs().max().item<float>() > 1e-3);
    }

    [Fact]
    public void Residual_projections_start_with_a_smaller_spread_than_other_weights()
    {
        using var model = SequenceZoo.Gpt(50, 16, layers: 8, heads: 4, width: 128);
        var parameters = model.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var projection = parameters["transformer.h.0.mlp.c_proj.weight"].std().item<float>();
        var expansion = parameters["transformer.h.0.mlp.c_fc.weight"].std().item<float>();

        Assert.Equal(0.02 / Math.Sqrt(2 * 8), projection, 0.0015);
        Assert.Equal(0.02, expansion, 0.0015);
        Assert.Equal(0.0, parameters["transformer.h.0.mlp.c_fc.bias"].abs().max().item<float>());
    }

    [Fact]
    public void The_loss_at_initialization_is_close_to_the_log_of_the_vocabulary_size()
    {
        const int vocabulary = 65;
        using var model = Tiny(vocabulary: vocabulary, width: 32);
        model.Network.eval();
        using var scope = NewDisposeScope();
        var ids = randint(0, vocabulary, [8, 16], dtype: ScalarType.Int64);
        using var _ = no_grad();
        var logits = model.Network.forward(ids[.., ..15]);
        var loss = nn.functional.cross_entropy(logits.reshape(-1, vocabulary), ids[.., 1..].reshape(-1)).item<float>();

        Assert.Equal(Math.Log(vocabulary), loss, 0.05);
    }

    [Fact]
    public void It_overfits_one_small_batch()
    {
        using var model = Tiny(dropout: 0.1);
        using var scope = NewDisposeScope();
        var ids = randint(0, 29, [4, 13], dtype: ScalarType.Int64);
        var (input, target) = (ids[.., ..12], ids[.., 1..]);
        var optimizer = optim.AdamW(model.Network.parameters(), lr: 1e-2);
        model.Network.train();
        float first = 0, last = 0;
        for (var step = 0; step < 60; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.Network.forward(input).reshape(-1, 29), target.reshape(-1));
            loss.backward();
            optimizer.step();
            last = loss.item<float>();
            if (step == 0)
                first = last;
        }
        Assert.True(last < 0.3 && first > 3.0, $"loss {first:F3} → {last:F3}");
    }

    [Fact]
    public void It_matches_pytorchs_logits_for_the_same_weights_and_input()
    {
        var (tensors, metadata) = ModelLoop.Artifacts.SafeTensors.Deserialize(File.ReadAllBytes(Samples.Fixture("gpt-reference.safetensors")), "gpt-reference.safetensors");
        int Meta(string key) => int.Parse(metadata[key], System.Globalization.CultureInfo.InvariantCulture);
        using var model = SequenceZoo.Gpt(Meta("vocabulary_size"), Meta("block_size"), Meta("layers"), Meta("heads"), Meta("width"));
        var parameters = model.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(parameters.Count, tensors.Count - 2); // every weight in the fixture, nothing else
        using (no_grad())
            foreach (var (name, parameter) in parameters)
                parameter.copy_(tensors[name["transformer.".Length..]]);
        model.Network.eval();
        using var _ = no_grad();
        var logits = model.Network.forward(tensors["input"]);

        var difference = (logits - tensors["logits"]).abs().max().item<float>();
        Assert.True(difference < 1e-4, $"max |ours − PyTorch| = {difference}");
        foreach (var t in tensors.Values)
            t.Dispose();
    }

    [Fact]
    public void A_yaml_spec_builds_the_same_gpt_as_the_zoo()
    {
        using var zoo = Tiny();
        var yaml = zoo.ToSpec().ToYaml();
        using var rebuilt = Model.FromSpec(ModelSpec.FromYaml(yaml));

        Assert.Contains("type: \"Gpt\"", yaml, StringComparison.Ordinal);
        Assert.Equal(zoo.ParameterCount, rebuilt.ParameterCount);
        Assert.Equal(zoo.Network.named_parameters().Select(p => p.name), rebuilt.Network.named_parameters().Select(p => p.name));
        Assert.Equal(InputKind.TokenIds, rebuilt.InputKind);
    }

    [Fact]
    public void Heads_that_do_not_divide_the_width_are_refused_with_both_values_named()
    {
        using var model = SequenceZoo.Gpt(10, 8, heads: 5, width: 24);
        var error = Assert.Throws<ModelBuildException>(() => model.OutputShape);
        Assert.Contains("Width=24, Heads=5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sequence_longer_than_the_block_size_is_refused_with_what_to_do()
    {
        using var model = Tiny(block: 8);
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => model.Network.forward(zeros([1, 9], dtype: ScalarType.Int64)));
        Assert.Contains("block size is 8", error.Message, StringComparison.Ordinal);
    }
}
