using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using static ModelLoop.Optimization.Onnx.OnnxGraphBuilder;

namespace ModelLoop.Optimization.Onnx;

/// <summary>One layer to emit: its description, display name, state_dict prefix, input value and per-sample shapes.</summary>
internal readonly record struct LayerInput(Layer Layer, string Name, string Prefix, string Value, Shape Input, Shape Output);

/// <summary>
/// Turns each layer description into the ONNX nodes that compute what its TorchSharp module computes in
/// evaluation mode (dropout is the identity, BatchNorm uses its running statistics). Values are batch-first,
/// as in the network: (N, ...per-sample shape).
/// </summary>
internal sealed partial class OnnxLayerEmitter
{
    private readonly OnnxGraphBuilder _g;
    private readonly IReadOnlyDictionary<Type, Func<LayerInput, string>> _emitters;

    /// <summary>The layer types the exporter writes, in the order the error message lists them.</summary>
    public static readonly IReadOnlyList<Type> SupportedTypes =
    [
        typeof(Dense), typeof(Conv2D), typeof(MaxPool2D), typeof(AvgPool2D), typeof(GlobalAvgPool2D), typeof(Flatten),
        typeof(Reshape), typeof(Dropout), typeof(ActivationLayer), typeof(BatchNorm), typeof(Residual), typeof(LayerNorm), typeof(GroupNorm),
        typeof(Embedding), typeof(Lstm), typeof(Gru), typeof(MultiHeadAttention), typeof(TransformerEncoderBlock), typeof(SequenceMeanPool),
        typeof(Gpt),
    ];

    /// <param name="g">Where the nodes go.</param>
    /// <param name="supported">The layer types to accept. Defaults to <see cref="SupportedTypes"/>; tests narrow it to reach the error path.</param>
    public OnnxLayerEmitter(OnnxGraphBuilder g, IEnumerable<Type>? supported = null)
    {
        _g = g;
        var all = new Dictionary<Type, Func<LayerInput, string>>
        {
            [typeof(Dense)] = EmitDense,
            [typeof(Conv2D)] = EmitConv2D,
            [typeof(MaxPool2D)] = x => Pool("MaxPool", x, ((MaxPool2D)x.Layer).PoolSize, ((MaxPool2D)x.Layer).Stride),
            [typeof(AvgPool2D)] = x => Pool("AveragePool", x, ((AvgPool2D)x.Layer).PoolSize, ((AvgPool2D)x.Layer).Stride),
            // (N, C, H, W) → (N, C, 1, 1) → (N, C)
            [typeof(GlobalAvgPool2D)] = x => _g.Node("Flatten", x.Name + "/flatten", [_g.Node("GlobalAveragePool", x.Name, [x.Value])], Int("axis", 1)),
            [typeof(Flatten)] = x => _g.Node("Flatten", x.Name, [x.Value], Int("axis", 1)),
            // −1 takes the batch; the per-sample dims are the ones shape inference resolved (no −1 left).
            [typeof(Reshape)] = x => _g.Node("Reshape", x.Name, [x.Value, _g.Int64s(x.Name + "/shape", [-1, .. x.Output.Dims])]),
            [typeof(Dropout)] = x => x.Value, // the identity at inference
            [typeof(ActivationLayer)] = x => Activate(x.Value, ((ActivationLayer)x.Layer).Function, x.Name, x.Layer),
            [typeof(BatchNorm)] = x => BatchNormalization(x.Value, x.Prefix, x.Name, ((BatchNorm)x.Layer).Epsilon),
            [typeof(LayerNorm)] = x => LayerNormalization(x.Value, x.Prefix, x.Name, ((LayerNorm)x.Layer).Epsilon),
            [typeof(GroupNorm)] = EmitGroupNorm,
            [typeof(Residual)] = EmitResidual,
            // (N, T) int64 ids → (N, T, D)
            [typeof(Embedding)] = x => _g.Node("Gather", x.Name, [_g.Weight(x.Prefix + ".weight"), x.Value], Int("axis", 0)),
            [typeof(Lstm)] = x => x.Layer is Lstm l ? Recurrent(x, isLstm: true, l.Units, l.ReturnSequences, l.NumLayers, l.Bidirectional) : throw Unreachable(x),
            [typeof(Gru)] = x => x.Layer is Gru l ? Recurrent(x, isLstm: false, l.Units, l.ReturnSequences, l.NumLayers, l.Bidirectional) : throw Unreachable(x),
            [typeof(MultiHeadAttention)] = x => x.Layer is MultiHeadAttention a ? Attention(x.Value, x.Prefix, x.Name, x.Input, a.Heads, a.Causal) : throw Unreachable(x),
            [typeof(TransformerEncoderBlock)] = EmitTransformerBlock,
            // (N, T, D) → (N, D)
            [typeof(SequenceMeanPool)] = x => _g.Node("ReduceMean", x.Name, [x.Value], Ints("axes", 1), Int("keepdims", 0)),
            [typeof(Gpt)] = EmitGpt,
        };
        var accepted = (supported ?? SupportedTypes).ToHashSet();
        _emitters = all.Where(e => accepted.Contains(e.Key)).ToDictionary(e => e.Key, e => e.Value);
    }

    /// <summary>Emits one layer and returns the value holding its output.</summary>
    /// <exception cref="NotSupportedException">The layer type has no ONNX translation; the message names the layer and lists the supported types.</exception>
    public string Emit(LayerInput x)
    {
        if (!_emitters.TryGetValue(x.Layer.GetType(), out var emit))
            throw new NotSupportedException($"Layer '{x.Name}' ({x.Layer.GetType().Name}) cannot be exported to ONNX: the exporter has no translation for it. " +
                $"Supported layer types: {string.Join(", ", _emitters.Keys.Select(t => t.Name))}. " +
                "What to do: rebuild the model without this layer, or serve it with the TorchSharp backend.");
        return emit(x);
    }

    /// <summary>
    /// Emits a stack of layers (a Residual's branch) read from <paramref name="input"/>. The names and shapes
    /// come from a Sequential of the same layers, which names them as the branch's module does.
    /// </summary>
    public (string Value, Shape Shape) EmitStack(IReadOnlyList<Layer> layers, string value, Shape input, string prefix, string name)
    {
        using var stack = new Sequential(input);
        foreach (var layer in layers)
            stack.Add(layer);
        var shape = input;
        foreach (var (layer, row) in layers.Zip(stack.LayerSummaries))
        {
            value = Emit(new LayerInput(layer, $"{name}/{row.Name}", $"{prefix}.{row.Name}", value, shape, row.OutputShape));
            shape = row.OutputShape;
        }
        return (value, shape);
    }

    private string EmitDense(LayerInput x)
    {
        var dense = (Dense)x.Layer;
        // With an activation the module is Sequential(op, activation), so the parameters sit under ".op".
        var prefix = dense.Activation == Activation.None ? x.Prefix : x.Prefix + ".op";
        var y = Linear(x.Value, prefix, x.Name, x.Input.Rank, dense.UseBias);
        return Activate(y, dense.Activation, x.Name, x.Layer);
    }

    /// <summary>y = x·Wᵀ + b on the last dimension: Gemm for (N, F) inputs, MatMul + Add for (N, ..., F).</summary>
    private string Linear(string x, string prefix, string name, int sampleRank, bool bias)
    {
        if (sampleRank == 1)
        {
            string[] inputs = bias ? [x, _g.Weight(prefix + ".weight"), _g.Weight(prefix + ".bias")] : [x, _g.Weight(prefix + ".weight")];
            return _g.Node("Gemm", name, inputs, Int("transB", 1));
        }
        using var transposed = _g.Parameter(prefix + ".weight").t(); // (in, out) for MatMul's right-hand side
        var y = _g.Node("MatMul", name + "/matmul", [x, _g.Initializer(prefix + ".weight_t", transposed)]);
        return bias ? _g.Node("Add", name, [y, _g.Weight(prefix + ".bias")]) : y;
    }

    private string EmitConv2D(LayerInput x)
    {
        var conv = (Conv2D)x.Layer;
        var prefix = conv.Activation == Activation.None ? x.Prefix : x.Prefix + ".op";
        // Padding.Same is only allowed with odd kernels, so the padding is kernel / 2 on every side, as in the module.
        var pad = conv.Padding == Padding.Same ? conv.KernelSize / 2 : 0;
        var y = Conv(x.Value, prefix, x.Name, conv.KernelSize, conv.Stride, pad, conv.UseBias);
        return Activate(y, conv.Activation, x.Name, x.Layer);
    }

    private string Conv(string x, string prefix, string name, long kernel, long stride, long pad, bool bias)
    {
        string[] inputs = bias ? [x, _g.Weight(prefix + ".weight"), _g.Weight(prefix + ".bias")] : [x, _g.Weight(prefix + ".weight")];
        return _g.Node("Conv", name, inputs, Ints("kernel_shape", kernel, kernel), Ints("strides", stride, stride),
            Ints("pads", pad, pad, pad, pad), Ints("dilations", 1, 1), Int("group", 1));
    }

    // No padding and floor rounding, as MaxPool2d/AvgPool2d are built.
    private string Pool(string op, LayerInput x, int pool, int? stride) =>
        _g.Node(op, x.Name, [x.Value], Ints("kernel_shape", pool, pool), Ints("strides", stride ?? pool, stride ?? pool), Ints("pads", 0, 0, 0, 0));

    // Running statistics (evaluation mode): (x − mean) / √(var + ε) · γ + β over dimension 1 (channels or features).
    private string BatchNormalization(string x, string prefix, string name, double epsilon) =>
        _g.Node("BatchNormalization", name,
            [x, _g.Weight(prefix + ".weight"), _g.Weight(prefix + ".bias"), _g.Weight(prefix + ".running_mean"), _g.Weight(prefix + ".running_var")],
            Float("epsilon", epsilon));

    // The bias is optional (nn.LayerNorm(bias: false), as Gpt(Bias: false) builds it, has none; so is ONNX's B input).
    private string LayerNormalization(string x, string prefix, string name, double epsilon) =>
        _g.Node("LayerNormalization", name,
            _g.Has(prefix + ".bias") ? [x, _g.Weight(prefix + ".weight"), _g.Weight(prefix + ".bias")] : [x, _g.Weight(prefix + ".weight")],
            Int("axis", -1), Float("epsilon", epsilon));

    /// <summary>
    /// GroupNorm without opset 18's GroupNormalization: (N, C, …) → (N, G, C/G·…) → LayerNormalization over the last
    /// axis with a unit scale (each group's mean and biased variance, ε inside the root, as nn.GroupNorm) → back to
    /// (N, C, H, W) → the per-channel scale and shift, broadcast as (C, 1, 1).
    /// </summary>
    private string EmitGroupNorm(LayerInput x)
    {
        var layer = (GroupNorm)x.Layer;
        var channels = x.Input[0];
        var perGroup = x.Input.Dims.Aggregate(1L, (a, b) => a * b) / layer.Groups;
        var grouped = _g.Node("Reshape", x.Name + "/group", [x.Value, _g.Int64s(x.Name + "/group_shape", 0, layer.Groups, perGroup)]);
        var unit = _g.Initializer(x.Name + "/unit_scale", Enumerable.Repeat(1f, checked((int)perGroup)).ToArray(), [perGroup]);
        var normed = _g.Node("LayerNormalization", x.Name + "/norm", [grouped, unit], Int("axis", -1), Float("epsilon", layer.Epsilon));
        var back = _g.Node("Reshape", x.Name + "/ungroup", [normed, _g.Int64s(x.Name + "/shape", [-1, .. x.Input.Dims])]);
        long[] perChannel = [channels, 1, 1];
        var scale = _g.Node("Reshape", x.Name + "/scale", [_g.Weight(x.Prefix + ".weight"), _g.Int64s(x.Name + "/scale_shape", perChannel)]);
        var shift = _g.Node("Reshape", x.Name + "/shift", [_g.Weight(x.Prefix + ".bias"), _g.Int64s(x.Name + "/shift_shape", perChannel)]);
        return _g.Node("Add", x.Name, [_g.Node("Mul", x.Name + "/mul", [back, scale]), shift]);
    }

    /// <summary>activation(branch(x) + shortcut(x)), with the projection shortcut the module built when the branch changed the shape.</summary>
    private string EmitResidual(LayerInput x)
    {
        var residual = (Residual)x.Layer;
        var (main, shape) = EmitStack(residual.Branch, x.Value, x.Input, x.Prefix + ".branch", x.Name);
        var skip = x.Value;
        var shortcut = x.Prefix + ".shortcut";
        if (_g.Has(shortcut + ".weight"))
        {
            // Vectors: Linear without bias.
            skip = Linear(x.Value, shortcut, x.Name + "/shortcut", x.Input.Rank, bias: false);
        }
        else if (_g.Has(shortcut + ".conv.weight"))
        {
            // Images: 1×1 convolution with the branch's overall stride, then BatchNorm (Residual's own stride rule).
            var stride = (x.Input[1] + shape[1] - 1) / shape[1];
            skip = Conv(x.Value, shortcut + ".conv", x.Name + "/shortcut/conv", 1, stride, 0, bias: false);
            skip = BatchNormalization(skip, shortcut + ".bn", x.Name + "/shortcut/bn", 1e-5);
        }
        var sum = _g.Node("Add", x.Name + "/add", [main, skip]);
        return Activate(sum, residual.Activation, x.Name, x.Layer);
    }

    /// <summary>The element-wise activation as ONNX opset-17 operators (GELU by its erf formula: opset 17 has no Gelu).</summary>
    private string Activate(string x, Activation activation, string name, Layer layer)
    {
        var at = name + "/" + activation.ToString().ToLowerInvariant();
        switch (activation)
        {
            case Activation.None:
                return x;
            case Activation.Relu:
                return _g.Node("Relu", at, [x]);
            case Activation.Sigmoid:
                return _g.Node("Sigmoid", at, [x]);
            case Activation.Tanh:
                return _g.Node("Tanh", at, [x]);
            case Activation.LeakyRelu:
                return _g.Node("LeakyRelu", at, [x], Float("alpha", 0.01)); // nn.LeakyReLU(0.01)
            case Activation.Elu:
                return _g.Node("Elu", at, [x], Float("alpha", 1.0));
            case Activation.Softmax:
                return _g.Node("Softmax", at, [x], Int("axis", -1));
            case Activation.Silu:
                return _g.Node("Mul", at, [x, _g.Node("Sigmoid", at + "/sigmoid", [x])]); // x·σ(x)
            case Activation.Gelu:
            {
                // Exact GELU (nn.GELU's default): 0.5·x·(1 + erf(x / √2)).
                var scaled = _g.Node("Div", at + "/div", [x, _g.Scalar(at + "/sqrt2", MathF.Sqrt(2f))]);
                var erf = _g.Node("Erf", at + "/erf", [scaled]);
                var plus = _g.Node("Add", at + "/add", [erf, _g.Scalar(at + "/one", 1f)]);
                var times = _g.Node("Mul", at + "/mul", [x, plus]);
                return _g.Node("Mul", at, [times, _g.Scalar(at + "/half", 0.5f)]);
            }
            default:
                throw new NotSupportedException($"Layer '{name}' ({layer.GetType().Name}) uses activation {activation}, which the ONNX exporter cannot write. " +
                    $"Supported activations: {string.Join(", ", Enum.GetNames<Activation>())}.");
        }
    }

    private static InvalidOperationException Unreachable(LayerInput x) => new($"Layer '{x.Name}' was dispatched to the wrong ONNX emitter ({x.Layer.GetType().Name}).");
}
