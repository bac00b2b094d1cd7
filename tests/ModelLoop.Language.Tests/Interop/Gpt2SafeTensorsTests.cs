using ModelLoop.Artifacts;
using ModelLoop.Language.Interop;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Language.Tests.Interop;

public sealed class Gpt2SafeTensorsTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "gpt2-tests-" + Guid.NewGuid().ToString("N"));

    public Gpt2SafeTensorsTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Fixture(string name) => Path.Combine(Fixtures, name);

    private static Tensor Logits(Model model, Tensor input)
    {
        model.Network.eval();
        using var _ = no_grad();
        return model.Network.forward(input);
    }

    [Theory]
    [InlineData("gpt2-tiny.safetensors", "logits_f32", true, "")]
    [InlineData("gpt2-tiny-lmhead-f16.safetensors", "logits_f16", false, "transformer.")]
    [InlineData("gpt2-tiny-bf16.safetensors", "logits_bf16", false, "")]
    public void Gpt2_layout_weights_reproduce_pytorchs_logits(string file, string logits, bool withConfig, string prefix)
    {
        var (expected, _) = SafeTensors.Deserialize(File.ReadAllBytes(Fixture("gpt2-tiny-expected.safetensors")));
        var config = withConfig ? Gpt2Config.Load(Fixture("gpt2-tiny.config.json")) : null;

        var (model, report) = Gpt2SafeTensors.Load(Fixture(file), config, heads: 2);
        using (model)
        {
            var actual = Logits(model, expected["input"]);
            Assert.True(report.IsComplete, report.ToString());
            Assert.Equal(prefix, report.Prefix);
            Assert.Equal(2 + 2 * 12 + 2, report.Loaded);
            Assert.Equal(expected[logits].shape, actual.shape);
            Assert.True(actual.allclose(expected[logits], rtol: 0, atol: 1e-4), $"max difference {(actual - expected[logits]).abs().max().item<float>()}");
        }
    }

    [Fact]
    public void Mask_buffers_and_a_tied_head_are_skipped_and_reported_as_ignored()
    {
        var (plain, plainReport) = Gpt2SafeTensors.Load(Fixture("gpt2-tiny.safetensors"), heads: 2);
        var (lmHead, lmHeadReport) = Gpt2SafeTensors.Load(Fixture("gpt2-tiny-lmhead-f16.safetensors"), heads: 2);
        plain.Dispose();
        lmHead.Dispose();

        Assert.Equal(["h.0.attn.bias", "h.1.attn.bias"], plainReport.Ignored.Order());
        Assert.Equal(["lm_head.weight"], lmHeadReport.Ignored);
        Assert.Equal(["F16"], lmHeadReport.DTypes);
    }

    [Fact]
    public void A_saved_model_loads_back_with_identical_logits_and_conv1d_weights_stored_in_by_out()
    {
        torch.manual_seed(4);
        using var model = SequenceZoo.Gpt(29, 10, layers: 2, heads: 4, width: 24);
        var path = Path.Combine(_folder, "model.safetensors");
        var config = Gpt2SafeTensors.Save(model, path);
        var input = randint(0, 29, [2, 10], dtype: ScalarType.Int64);

        var (loaded, report) = Gpt2SafeTensors.Load(path, config);
        var (tensors, metadata) = SafeTensors.Deserialize(File.ReadAllBytes(path));
        using (loaded)
        {
            Assert.True(report.IsComplete, report.ToString());
            Assert.True(Logits(loaded, input).allclose(Logits(model, input), rtol: 0, atol: 0));
        }
        Assert.Equal([24L, 72], tensors["h.0.attn.c_attn.weight"].shape); // [in, out], as GPT-2's Conv1D
        Assert.Equal([96L, 24], tensors["h.1.mlp.c_proj.weight"].shape);
        Assert.DoesNotContain("lm_head.weight", tensors.Keys);
        Assert.Equal("pt", metadata["format"]);
    }

    [Fact]
    public void A_half_precision_export_is_half_the_size_and_close_to_the_original()
    {
        torch.manual_seed(5);
        using var model = SequenceZoo.Gpt(29, 10, layers: 1, heads: 2, width: 16);
        string full = Path.Combine(_folder, "f32.safetensors"), half = Path.Combine(_folder, "bf16.safetensors");
        Gpt2SafeTensors.Save(model, full);
        var config = Gpt2SafeTensors.Save(model, half, ScalarType.BFloat16);
        var input = randint(0, 29, [1, 10], dtype: ScalarType.Int64);

        var (loaded, report) = Gpt2SafeTensors.Load(half, config);
        using (loaded)
        {
            Assert.Equal(["BF16"], report.DTypes);
            Assert.True(Logits(loaded, input).allclose(Logits(model, input), rtol: 0, atol: 0.05));
        }
        Assert.InRange(new FileInfo(half).Length, 0.45 * new FileInfo(full).Length, 0.55 * new FileInfo(full).Length);
    }

    [Fact]
    public void A_file_with_missing_unexpected_and_misshaped_tensors_is_refused_with_each_one_named()
    {
        var (tensors, _) = SafeTensors.Deserialize(File.ReadAllBytes(Fixture("gpt2-tiny.safetensors")));
        tensors.Remove("h.1.ln_2.bias");
        tensors["h.0.attn.q_proj.weight"] = zeros(16, 16);
        tensors["h.0.mlp.c_fc.weight"] = tensors["h.0.mlp.c_fc.weight"].t().contiguous(); // stored [out, in] by mistake
        var path = Path.Combine(_folder, "broken.safetensors");
        File.WriteAllBytes(path, SafeTensors.Serialize(tensors));
        var config = Gpt2Config.Load(Fixture("gpt2-tiny.config.json"));

        var error = Assert.Throws<Gpt2WeightsException>(() => Gpt2SafeTensors.Load(path, config));
        var (model, report) = Gpt2SafeTensors.Load(path, config, strict: false);
        model.Dispose();

        Assert.Equal(["h.1.ln_2.bias"], error.Report.Missing);
        Assert.Equal(["h.0.attn.q_proj.weight"], error.Report.Unexpected);
        var mismatch = Assert.Single(error.Report.Mismatched);
        Assert.Equal("h.0.mlp.c_fc.weight", mismatch.Name);
        Assert.Equal([16L, 64], mismatch.Expected);
        Assert.Equal([64L, 16], mismatch.Found);
        Assert.Contains("h.1.ln_2.bias", error.Message);
        Assert.Contains("q_proj", error.Message);
        Assert.Equal(error.Report.Missing, report.Missing);
        Assert.Equal(28 - 2, report.Loaded); // all but the missing and the mis-shaped
    }

    [Fact]
    public void A_config_with_more_layers_than_the_file_reports_the_missing_block()
    {
        var config = Gpt2Config.Load(Fixture("gpt2-tiny.config.json")) with { Layers = 3 };

        var error = Assert.Throws<Gpt2WeightsException>(() => Gpt2SafeTensors.Load(Fixture("gpt2-tiny.safetensors"), config));

        Assert.Equal(12, error.Report.Missing.Count);
        Assert.All(error.Report.Missing, name => Assert.StartsWith("h.2.", name));
    }

    [Fact]
    public void Loading_without_a_config_or_heads_says_which_is_needed()
    {
        var error = Assert.Throws<ArgumentException>(() => Gpt2SafeTensors.Load(Fixture("gpt2-tiny.safetensors")));
        Assert.Contains("heads", error.Message);
    }
}
