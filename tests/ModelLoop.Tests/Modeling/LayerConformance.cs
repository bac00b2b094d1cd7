using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Modeling.Zoo;
using TorchSharp;
using Padding = ModelLoop.Modeling.Layers.Padding;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Modeling;

/// <summary>
/// The shared harness every layer passes (see <see cref="LayerConformanceTests"/>): one or more samples per
/// type in <see cref="LayerCatalog.Types"/> — a configured layer, an input shape and its hand-computed
/// parameter count — and helpers that build a one-layer model and feed it seeded inputs. A new layer is
/// covered by adding a sample here; a catalog type without one fails a test.
/// </summary>
internal static class LayerConformance
{
    /// <summary>A layer to check on inputs of one shape.</summary>
    /// <param name="Layer">The layer, as a user would configure it.</param>
    /// <param name="Input">One sample's input shape.</param>
    /// <param name="Parameters">Parameters plus floating-point buffers (BatchNorm statistics), computed by hand.</param>
    /// <param name="Kind">What the input values are. Defaults to real values.</param>
    /// <param name="Vocabulary">For token ids: ids are drawn from [0, Vocabulary).</param>
    public sealed record Sample(Layer Layer, Shape Input, long Parameters, InputKind Kind = InputKind.Float, int Vocabulary = 0);

    /// <summary>The samples, by a name shown in test results.</summary>
    public static readonly IReadOnlyDictionary<string, Sample> Samples = new Dictionary<string, Sample>
    {
        // 784·10 + 10
        ["Dense"] = new(new Dense(10), new Shape(784), 7_850),
        // applied to the last dimension of a sequence: 4·6, no bias
        ["Dense/sequence-relu-no-bias"] = new(new Dense(6, Activation.Relu, UseBias: false), new Shape(5, 4), 24),
        // 32 filters · (1·3·3 weights + 1 bias)
        ["Conv2D"] = new(new Conv2D(32, 3), new Shape(1, 28, 28), 320),
        // 4 · (3·3·3 + 1); (9 + 2 − 3) / 2 + 1 = 5
        ["Conv2D/same-stride2-relu"] = new(new Conv2D(4, 3, Activation.Relu, Stride: 2, Padding: Padding.Same), new Shape(3, 9, 9), 112),
        ["MaxPool2D"] = new(new MaxPool2D(2), new Shape(3, 9, 9), 0),
        ["AvgPool2D/pool3-stride2"] = new(new AvgPool2D(3, 2), new Shape(2, 7, 7), 0),
        ["GlobalAvgPool2D"] = new(new GlobalAvgPool2D(), new Shape(3, 5, 5), 0),
        ["Flatten"] = new(new Flatten(), new Shape(2, 3, 4), 0),
        ["Reshape"] = new(new Reshape([1, 4, 4]), new Shape(16), 0),
        ["Reshape/inferred-from-image"] = new(new Reshape([4, -1]), new Shape(2, 2, 4), 0),
        ["Dropout"] = new(new Dropout(0.5), new Shape(10), 0),
        ["ActivationLayer"] = new(new ActivationLayer(Activation.Gelu), new Shape(3, 4), 0),
        // weight, bias, running mean, running variance: 4 each per channel
        ["BatchNorm"] = new(new BatchNorm(), new Shape(4, 6, 6), 16),
        ["BatchNorm/vectors"] = new(new BatchNorm(0.2, 1e-3), new Shape(5), 20),
        // two Dense(8) on 8 features: 2 · (64 + 8); identity shortcut
        ["Residual"] = new(new Residual([new Dense(8, Activation.Relu), new Dense(8)]), new Shape(8), 144),
        // conv 2·4·9 + BN 4·4 + conv 4·4·9 + BN 16 + projection conv 2·4 + BN 16
        ["Residual/projection"] = new(ModelZoo.BasicBlock(4, stride: 2), new Shape(2, 6, 6), 272),
        // scale and shift over 16 features
        ["LayerNorm"] = new(new LayerNorm(), new Shape(5, 16), 32),
        // scale and shift per channel: 2 · 4
        ["GroupNorm"] = new(new GroupNorm(2), new Shape(4, 6, 6), 8),
        ["Embedding"] = new(new Embedding(50, 8), new Shape(6), 400, InputKind.TokenIds, Vocabulary: 50),
        // 4 gates · (16·8 input + 16·16 recurrent + 2·16 biases)
        ["Lstm"] = new(new Lstm(16), new Shape(5, 8), 1_664),
        // layer 1: 2 dirs · 4 · (6·4 + 6·6 + 12) = 576; layer 2 reads 12 features: 2 · 4 · (6·12 + 36 + 12) = 960
        ["Lstm/bidirectional-2-layers-sequences"] = new(new Lstm(6, ReturnSequences: true, NumLayers: 2, Bidirectional: true, Dropout: 0.2), new Shape(5, 4), 1_536),
        // 3 gates · (16·8 + 16·16 + 2·16)
        ["Gru"] = new(new Gru(16), new Shape(5, 8), 1_248),
        // 2 dirs · 3 · (6·4 + 6·6 + 12)
        ["Gru/bidirectional"] = new(new Gru(6, Bidirectional: true), new Shape(5, 4), 432),
        ["Gru/sequences"] = new(new Gru(6, ReturnSequences: true), new Shape(5, 4), 216),
        // fused QKV 16·48 + 48, output projection 16·16 + 16
        ["MultiHeadAttention"] = new(new MultiHeadAttention(4), new Shape(5, 16), 1_088),
        // 6·18 + 18 + 6·6 + 6
        ["MultiHeadAttention/causal-dropout"] = new(new MultiHeadAttention(2, 0.1, Causal: true), new Shape(4, 6), 168),
        // 2 LayerNorms 2·32 + attention 1,088 + feed-forward (16·32 + 32) + (32·16 + 16)
        ["TransformerEncoderBlock"] = new(new TransformerEncoderBlock(4, 32), new Shape(5, 16), 2_224),
        // 2·8 + (4·12 + 12) + (4·4 + 4) + (4·8 + 8) + (8·4 + 4)
        ["TransformerEncoderBlock/causal-no-dropout"] = new(new TransformerEncoderBlock(2, 8, Dropout: 0, Causal: true), new Shape(3, 4), 172),
        ["SequenceMeanPool"] = new(new SequenceMeanPool(), new Shape(5, 16), 0),
        // wte 20·8 + wpe 6·8 + one block (12·8² + 13·8) + ln_f 2·8; the output head is wte (tied)
        ["Gpt"] = new(new Gpt(20, Layers: 1, Heads: 2, Width: 8), new Shape(6), 1_096, InputKind.TokenIds, Vocabulary: 20),
        // without biases: 160 + 48 + (12·64 + 2·8 LayerNorm weights) + 8
        ["Gpt/no-bias-dropout"] = new(new Gpt(20, Layers: 1, Heads: 2, Width: 8, Dropout: 0.1, Bias: false), new Shape(6), 1_000, InputKind.TokenIds, Vocabulary: 20),
    };

    /// <summary>Sample names as xunit theory data.</summary>
    public static TheoryData<string> Names => new(Samples.Keys);

    /// <summary>A one-layer model for the sample, built with weights drawn from <paramref name="initSeed"/>.</summary>
    public static Sequential Model(Sample sample, long initSeed = 7)
    {
        var model = new Sequential(sample.Input, sample.Kind) { sample.Layer };
        torch.random.manual_seed(initSeed);
        _ = model.Network;
        return model;
    }

    /// <summary>A seeded batch of inputs: N(0, 1) values, or token ids in [0, vocabulary).</summary>
    public static Tensor Input(Sample sample, long batch = 3, long seed = 1)
    {
        using var generator = new Generator().manual_seed(seed);
        var shape = sample.Input.WithBatch(batch);
        return sample.Kind == InputKind.TokenIds
            ? randint(0, sample.Vocabulary, shape, dtype: ScalarType.Int64, generator: generator)
            : randn(shape, generator: generator);
    }

    /// <summary>Live tensors on this thread, by TorchSharp's dispose-scope statistics.</summary>
    public static long LiveTensors => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    /// <summary>The raw bytes of a tensor, for bit-exact comparison.</summary>
    public static byte[] Bytes(Tensor tensor)
    {
        using var contiguous = tensor.detach().contiguous();
        return contiguous.bytes.ToArray();
    }
}
