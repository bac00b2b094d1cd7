using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using Onnx;
using static ModelLoop.Optimization.Onnx.OnnxGraphBuilder;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Onnx;

/// <summary>The sequence layers: LSTM/GRU as ONNX's recurrent operators, attention as MatMul/Softmax.</summary>
internal sealed partial class OnnxLayerEmitter
{
    // PyTorch stores the gates as LSTM (i, f, g, o) and GRU (r, z, n); ONNX wants LSTM (i, o, f, c) and GRU (z, r, h).
    private static readonly long[] LstmGates = [0, 3, 1, 2];
    private static readonly long[] GruGates = [1, 0, 2];

    /// <summary>
    /// A stack of ONNX LSTM/GRU nodes, one per layer (ONNX's operators are single-layer). They run time-major
    /// (layout 0, the layout ONNX Runtime implements), so the (N, T, F) input is transposed once on the way in.
    /// Returns what RecurrentModule returns: every step (N, T, dirs·H) or the top layer's final states (N, dirs·H).
    /// </summary>
    private string Recurrent(LayerInput x, bool isLstm, int units, bool returnSequences, int numLayers, bool bidirectional)
    {
        var module = x.Prefix + (isLstm ? ".lstm" : ".gru");
        var gates = isLstm ? LstmGates : GruGates;
        string[] suffixes = bidirectional ? ["", "_reverse"] : [""];
        var sequence = _g.Node("Transpose", x.Name + "/time_major", [x.Value], Ints("perm", 1, 0, 2)); // (T, N, F)
        var finalState = "";
        for (var layer = 0; layer < numLayers; layer++)
        {
            var at = numLayers == 1 ? x.Name : $"{x.Name}/l{layer}";
            // W (dirs, gates·H, in), R (dirs, gates·H, H), B (dirs, 2·gates·H) = [Wb, Rb].
            var w = Stacked(suffixes.Select(s => Reorder(_g.Parameter($"{module}.weight_ih_l{layer}{s}"), gates)));
            var r = Stacked(suffixes.Select(s => Reorder(_g.Parameter($"{module}.weight_hh_l{layer}{s}"), gates)));
            var b = Stacked(suffixes.Select(s => cat([Reorder(_g.Parameter($"{module}.bias_ih_l{layer}{s}"), gates),
                Reorder(_g.Parameter($"{module}.bias_hh_l{layer}{s}"), gates)], 0)));
            List<AttributeProto> attributes = [Int("hidden_size", units), Text("direction", bidirectional ? "bidirectional" : "forward")];
            if (!isLstm)
                attributes.Add(Int("linear_before_reset", 1)); // PyTorch applies the reset gate after the hidden projection
            var outputs = _g.NodeWithOutputs(isLstm ? "LSTM" : "GRU", at,
                [sequence, _g.Initializer($"{module}.W_l{layer}", w), _g.Initializer($"{module}.R_l{layer}", r), _g.Initializer($"{module}.B_l{layer}", b)],
                2, [.. attributes]);
            foreach (var t in new[] { w, r, b })
                t.Dispose();
            finalState = outputs[1]; // Y_h (dirs, N, H)
            if (layer < numLayers - 1 || returnSequences)
            {
                // Y (T, dirs, N, H) → (T, N, dirs, H) → (T, N, dirs·H): forward then backward features, as PyTorch concatenates them.
                var swapped = _g.Node("Transpose", at + "/y", [outputs[0]], Ints("perm", 0, 2, 1, 3));
                sequence = _g.Node("Reshape", at + "/y_merged", [swapped, _g.Int64s(at + "/y_shape", 0, 0, -1)]);
            }
        }
        if (returnSequences)
            return _g.Node("Transpose", x.Name + "/batch_major", [sequence], Ints("perm", 1, 0, 2)); // (N, T, dirs·H)
        // Y_h (dirs, N, H) → (N, dirs, H) → (N, dirs·H)
        var batchFirst = _g.Node("Transpose", x.Name + "/state", [finalState], Ints("perm", 1, 0, 2));
        return _g.Node("Reshape", x.Name + "/state_merged", [batchFirst, _g.Int64s(x.Name + "/state_shape", 0, -1)]);
    }

    /// <summary>Reorders the gate blocks of a (gates·H, ...) weight or (gates·H) bias.</summary>
    private static Tensor Reorder(Tensor weight, long[] order)
    {
        var blocks = weight.detach().chunk(order.Length, 0);
        var reordered = cat(order.Select(i => blocks[i]).ToArray(), 0);
        foreach (var block in blocks)
            block.Dispose();
        return reordered;
    }

    private static Tensor Stacked(IEnumerable<Tensor> perDirection)
    {
        var parts = perDirection.ToArray();
        var stacked = stack(parts, 0);
        foreach (var part in parts)
            part.Dispose();
        return stacked;
    }

    /// <summary>
    /// Self-attention as SelfAttentionModule computes it: the fused projection split into Q, K, V,
    /// softmax(Q·Kᵀ/√headDim [+ causal mask])·V per head, heads merged, output projection. (N, T, D) → (N, T, D).
    /// The fused projection's parameters sit under <paramref name="qkv"/> (defaults to prefix.qkv) and the output
    /// projection's under <paramref name="projection"/> (defaults to prefix.projection); GPT's are c_attn and c_proj.
    /// T is fixed (the causal mask is a (T, T) constant), as the graph's input shape is.
    /// </summary>
    private string Attention(string x, string prefix, string name, Shape shape, int heads, bool causal, string? qkv = null, string? projection = null, bool bias = true)
    {
        qkv ??= prefix + ".qkv";
        projection ??= prefix + ".projection";
        var (time, features) = (shape[0], shape[1]);
        var headDim = features / heads;
        var weight = _g.Parameter(qkv + ".weight");                  // (3·D, D), rows [Q; K; V], each head's headDim rows contiguous
        var biases = bias ? _g.Parameter(qkv + ".bias") : null;      // (3·D)
        var split = _g.Int64s(name + "/heads_shape", 0, 0, heads, headDim);
        var projected = new string[3];
        string[] parts = ["q", "k", "v"];
        for (var i = 0; i < 3; i++)
        {
            using var w = weight.detach().narrow(0, i * features, features).t(); // (D, D) for x·W
            var y = _g.Node("MatMul", $"{name}/{parts[i]}/matmul", [x, _g.Initializer($"{qkv}.weight_{parts[i]}", w)]);
            if (biases is not null)
            {
                using var b = biases.detach().narrow(0, i * features, features);
                y = _g.Node("Add", $"{name}/{parts[i]}", [y, _g.Initializer($"{qkv}.bias_{parts[i]}", b)]); // (N, T, D)
            }
            var perHead = _g.Node("Reshape", $"{name}/{parts[i]}/heads", [y, split]);           // (N, T, heads, headDim)
            // Q, V → (N, heads, T, headDim); K → (N, heads, headDim, T), ready for Q·Kᵀ.
            projected[i] = _g.Node("Transpose", $"{name}/{parts[i]}/transpose", [perHead], i == 1 ? Ints("perm", 0, 2, 3, 1) : Ints("perm", 0, 2, 1, 3));
        }
        var scores = _g.Node("MatMul", name + "/scores", [projected[0], projected[1]]); // (N, heads, T, T)
        scores = _g.Node("Mul", name + "/scaled", [scores, _g.Scalar(name + "/scale", (float)(1.0 / Math.Sqrt(headDim)))]);
        if (causal)
        {
            // Step t attends to steps ≤ t: −∞ above the diagonal, as scaled_dot_product_attention's causal mask.
            var mask = new float[time * time];
            for (var row = 0; row < time; row++)
                for (var column = row + 1; column < time; column++)
                    mask[row * time + column] = float.NegativeInfinity;
            scores = _g.Node("Add", name + "/masked", [scores, _g.Initializer(name + "/causal_mask", mask, [time, time])]);
        }
        var weights = _g.Node("Softmax", name + "/softmax", [scores], Int("axis", -1));
        var attended = _g.Node("MatMul", name + "/attended", [weights, projected[2]]);                  // (N, heads, T, headDim)
        var merged = _g.Node("Transpose", name + "/merge", [attended], Ints("perm", 0, 2, 1, 3));         // (N, T, heads, headDim)
        merged = _g.Node("Reshape", name + "/merged", [merged, _g.Int64s(name + "/merged_shape", 0, 0, features)]); // (N, T, D)
        return Linear(merged, projection, name + "/projection", 2, bias);
    }

    /// <summary>Pre-LayerNorm block: x + attention(ln1(x)), then x + mlp(ln2(x)) with mlp = fc → GELU → proj. Dropout is the identity.</summary>
    private string EmitTransformerBlock(LayerInput x)
    {
        var block = (TransformerEncoderBlock)x.Layer;
        var normed = LayerNormalization(x.Value, x.Prefix + ".ln1", x.Name + "/ln1", 1e-5); // nn.LayerNorm's default ε
        var attended = Attention(normed, x.Prefix + ".attention", x.Name + "/attention", x.Input, block.Heads, block.Causal);
        var h = _g.Node("Add", x.Name + "/residual1", [x.Value, attended]);
        normed = LayerNormalization(h, x.Prefix + ".ln2", x.Name + "/ln2", 1e-5);
        var hidden = Linear(normed, x.Prefix + ".mlp.fc", x.Name + "/fc", 2, bias: true);        // (N, T, feedForward)
        hidden = Activate(hidden, Activation.Gelu, x.Name + "/fc", x.Layer);
        var projected = Linear(hidden, x.Prefix + ".mlp.proj", x.Name + "/proj", 2, bias: true);  // (N, T, D)
        return _g.Node("Add", x.Name, [h, projected]);
    }
}
