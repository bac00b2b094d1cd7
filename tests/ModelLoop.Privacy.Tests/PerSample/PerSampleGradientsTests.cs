using ModelLoop.Native;
using ModelLoop.Privacy.PerSample;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Privacy.Tests.PerSample;

public class PerSampleGradientsTests
{
    public PerSampleGradientsTests() => TorchRuntime.EnsureLoaded();

    public static TheoryData<string> Networks => ["dense", "dense-sequence", "conv-groupnorm", "conv-small-map", "conv-large-map", "embedding-layernorm", "shared-dense"];

    [Theory]
    [MemberData(nameof(Networks))]
    public void Per_sample_gradients_equal_the_gradients_of_micro_batches_of_one(string kind)
    {
        using var scope = NewDisposeScope();
        var (network, x) = Build(kind);
        var reference = MicroBatchGradients(network, x);
        using var psg = PerSampleGradients.Attach(network);

        var grads = Capture(psg, network, x).Compute();

        var trainable = network.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();
        Assert.Equal(trainable.Order(), grads.Keys.Order());
        foreach (var name in trainable)
        {
            var expected = stack(reference.Select(r => r[name]).ToArray());
            var error = (grads[name] - expected).abs().max().item<double>();
            Assert.True(error < 1e-6, $"{kind}: '{name}' differs from the micro-batch gradient by {error}");
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Norms_with_and_without_ghost_clipping_equal_the_micro_batch_norms(string kind)
    {
        using var scope = NewDisposeScope();
        var (network, x) = Build(kind);
        var reference = MicroBatchGradients(network, x)
            .Select(r => Math.Sqrt(r.Values.Sum(g => g.square().sum().item<double>()))).ToArray();

        foreach (var ghost in new[] { true, false })
        {
            using var psg = PerSampleGradients.Attach(network, ghostClipping: ghost);
            var norms = Capture(psg, network, x).Norms().data<double>().ToArray();
            for (var i = 0; i < reference.Length; i++)
                Assert.True(Math.Abs(norms[i] - reference[i]) < 1e-6, $"{kind}, ghost={ghost}: sample {i} norm {norms[i]} vs {reference[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void The_weighted_sum_equals_the_sum_of_scaled_micro_batch_gradients(string kind)
    {
        using var scope = NewDisposeScope();
        var (network, x) = Build(kind);
        var reference = MicroBatchGradients(network, x);
        var factors = Enumerable.Range(0, (int)x.shape[0]).Select(i => 0.2 + 0.15 * i).ToArray();
        using var psg = PerSampleGradients.Attach(network);

        var direct = Capture(psg, network, x).WeightedSum(tensor(factors));
        psg.Norms(); // keeps the per-sample gradients it materialises, which the next sum reuses
        var afterNorms = psg.WeightedSum(tensor(factors));

        foreach (var name in reference[0].Keys)
        {
            var expected = WeightedReference(reference, name, factors);
            foreach (var (sums, path) in new[] { (direct, "direct"), (afterNorms, "after norms") })
            {
                var error = (sums[name] - expected).abs().max().item<double>();
                Assert.True(error < 1e-6, $"{kind} ({path}): weighted sum of '{name}' differs by {error}");
            }
        }
    }

    [Theory]
    [InlineData("conv-groupnorm")]
    [InlineData("conv-small-map")]
    [InlineData("conv-large-map")]
    public void Every_convolution_norm_method_gives_the_micro_batch_norms_and_weighted_sums(string kind)
    {
        using var scope = NewDisposeScope();
        var (network, x) = Build(kind);
        var reference = MicroBatchGradients(network, x);
        var referenceNorms = reference.Select(r => Math.Sqrt(r.Values.Sum(g => g.square().sum().item<double>()))).ToArray();
        var factors = Enumerable.Range(0, (int)x.shape[0]).Select(i => 0.3 + 0.1 * i).ToArray();

        foreach (var method in Enum.GetValues<ConvolutionNormMethod>())
        {
            using var psg = PerSampleGradients.Attach(network);
            foreach (var conv in psg.Layers.OfType<Conv2dPerSample>())
                conv.Method = method;
            var norms = Capture(psg, network, x).Norms().data<double>().ToArray();
            var sums = psg.WeightedSum(tensor(factors));

            for (var i = 0; i < referenceNorms.Length; i++)
                Assert.True(Math.Abs(norms[i] - referenceNorms[i]) < 1e-6, $"{kind}, {method}: sample {i} norm {norms[i]} vs {referenceNorms[i]}");
            foreach (var name in reference[0].Keys)
            {
                var expected = WeightedReference(reference, name, factors);
                var error = (sums[name] - expected).abs().max().item<double>();
                Assert.True(error < 1e-6, $"{kind}, {method}: weighted sum of '{name}' differs by {error}");
            }
        }
    }

    [Fact]
    public void BatchNorm_is_refused_with_a_suggestion_to_use_GroupNorm()
    {
        var network = nn.Sequential(("conv", nn.Conv2d(1, 4, 3)), ("bn", nn.BatchNorm2d(4)));
        var ex = Assert.Throws<UnsupportedLayerException>(() => PerSampleGradients.Attach(network));
        Assert.Equal("bn", ex.LayerName);
        Assert.Contains("GroupNorm", ex.Message);
        Assert.Contains("BatchNorm2d", ex.Message);
    }

    [Fact]
    public void A_layer_without_a_per_sample_formula_is_refused_by_name()
    {
        var network = nn.Sequential(("block_1", nn.Sequential(("act", nn.PReLU(3)))));
        var ex = Assert.Throws<UnsupportedLayerException>(() => PerSampleGradients.Attach(network));
        Assert.Equal("block_1.act", ex.LayerName);
        Assert.Contains("PReLU", ex.Message);
        Assert.Contains("What to do", ex.Message);
    }

    [Fact]
    public void Frozen_unsupported_layers_are_allowed()
    {
        var prelu = nn.PReLU(4);
        foreach (var p in prelu.parameters()) p.requires_grad = false;
        using var psg = PerSampleGradients.Attach(nn.Sequential(("frozen", prelu), ("head", nn.Linear(4, 2))));
        Assert.Equal(["head.weight", "head.bias"], psg.ParameterNames);
    }

    /// <summary>Forward with capture on, a loss that is a sum of per-sample terms, backward.</summary>
    private static PerSampleGradients Capture(PerSampleGradients psg, nn.Module<Tensor, Tensor> network, Tensor x)
    {
        foreach (var p in network.parameters()) p.grad?.zero_();
        psg.Capturing = true;
        var output = network.forward(x);
        psg.Capturing = false;
        Loss(output).backward();
        return psg;
    }

    // A per-sample loss that is not linear in the output, so the backprops differ per sample: Σ_i f(out_i).
    private static Tensor Loss(Tensor output) => (output.tanh() * output).sum() + output.sum();

    private static List<Dictionary<string, Tensor>> MicroBatchGradients(nn.Module<Tensor, Tensor> network, Tensor x)
    {
        var result = new List<Dictionary<string, Tensor>>();
        for (long i = 0; i < x.shape[0]; i++)
        {
            foreach (var p in network.parameters()) p.grad?.zero_();
            Loss(network.forward(x.narrow(0, i, 1))).backward();
            result.Add(network.named_parameters().Where(p => p.parameter.requires_grad)
                .ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
        }
        return result;
    }

    private static (nn.Module<Tensor, Tensor> Network, Tensor X) Build(string kind)
    {
        random.manual_seed(7);
        var (network, x) = kind switch
        {
            "dense" => ((nn.Module<Tensor, Tensor>)nn.Sequential(("fc1", nn.Linear(5, 4)), ("act", nn.Tanh()), ("fc2", nn.Linear(4, 3))), randn(6, 5, dtype: float64)),
            // (B, T, d) input: fc1's ghost norms through Gram matrices (T²(d + p) = 36 < 2dp = 40); fc2's materialised (24 ≥ 16).
            "dense-sequence" => (nn.Sequential(("fc1", nn.Linear(5, 4)), ("act", nn.Tanh()), ("fc2", nn.Linear(4, 2))), randn(5, 2, 5, dtype: float64)),
            // 3×4 → 1×2 maps (L = 2): the ghost path for the convolution (L²(K + O) = 88 < 2KO = 144).
            "conv-small-map" => (nn.Sequential(("conv", nn.Conv2d(2, 4, 3)), ("gn", nn.GroupNorm(2, 4)), ("act", nn.Tanh()),
                ("flat", nn.Flatten()), ("fc", nn.Linear(8, 3))), randn(5, 2, 3, 4, dtype: float64)),
            // 4×4 → 2×2 maps (L = 4): materialised (L²(K + O) = 352 ≥ 2KO = 144).
            "conv-groupnorm" => (nn.Sequential(("conv", nn.Conv2d(2, 4, 3, stride: 2, padding: 1)), ("gn", nn.GroupNorm(2, 4)), ("act", nn.Tanh()),
                ("flat", nn.Flatten()), ("fc", nn.Linear(16, 3))), randn(5, 2, 4, 4, dtype: float64)),
            // 9×9 maps (L = 81): per-sample gradients materialised.
            "conv-large-map" => (nn.Sequential(("conv", nn.Conv2d(1, 3, 3, padding: 1)), ("act", nn.Tanh()), ("conv2", nn.Conv2d(3, 2, 2, stride: 2, bias: false)),
                ("flat", nn.Flatten()), ("fc", nn.Linear(32, 2))), randn(4, 1, 9, 9, dtype: float64)),
            "embedding-layernorm" => (nn.Sequential(("emb", nn.Embedding(7, 4)), ("ln", nn.LayerNorm(4)), ("fc", nn.Linear(4, 2))),
                tensor(new long[] { 1, 2, 2, 6, 0, 3, 3, 3, 5, 1, 4, 0 }).reshape(4, 3)),
            "shared-dense" => (new SharedDense(), randn(4, 3, dtype: float64)),
            _ => throw new ArgumentException(kind),
        };
        network.to(float64);
        // Non-trivial affine parameters, so the norm layers' gradients are not those of the identity.
        using (no_grad())
            foreach (var (name, p) in network.named_parameters())
                if (name.StartsWith("gn.") || name.StartsWith("ln.")) p.add_(randn_like(p) * 0.3);
        return (network, x);
    }

    /// <summary>One Linear applied twice in a forward pass (shared weights).</summary>
    private sealed class SharedDense : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear shared = nn.Linear(3, 3);

        public SharedDense() : base(nameof(SharedDense)) => RegisterComponents();

        public override Tensor forward(Tensor x) => shared.call(shared.call(x).tanh());
    }

    /// <summary>Σ_i factors[i]·reference[i][name], the clipped sum the micro-batches of one give.</summary>
    private static Tensor WeightedReference(IReadOnlyList<IReadOnlyDictionary<string, Tensor>> reference, string name, IReadOnlyList<double> factors)
    {
        // tensor × 0-dim tensor: a double here would pass a temporary TorchSharp Scalar, which a collection on another
        // thread can free while libtorch reads it (the NaN this test once saw; see docs/benchmarks.md, lm-gc-stress).
        // The sum passes its alpha explicitly for the same reason: `a + b` hands libtorch a hidden temporary alpha = 1.
        using var one = 1.ToScalar();
        return reference.Select((r, i) => r[name] * tensor(factors[i], dtype: r[name].dtype)).Aggregate((a, b) => a.add(b, one));
    }
}
