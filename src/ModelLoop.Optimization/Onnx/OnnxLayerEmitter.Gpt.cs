using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using static ModelLoop.Optimization.Onnx.OnnxGraphBuilder;

namespace ModelLoop.Optimization.Onnx;

/// <summary>The GPT-2 language model (<see cref="Gpt"/>) as one stretch of ONNX nodes.</summary>
internal sealed partial class OnnxLayerEmitter
{
    /// <summary>
    /// What GptNetwork.forward computes in evaluation mode: (N, T) int64 token ids → (N, T, vocabulary) logits.
    /// wte[ids] + wpe[0..T), pre-LayerNorm blocks (causal attention through c_attn/c_proj, MLP c_fc → tanh-GELU →
    /// c_proj), ln_f, then the tied head x·wteᵀ. T is the block size, fixed as the graph's input shape is (the
    /// exporter declares fixed per-sample dims, and <see cref="Attention"/>'s causal mask is a (T, T) constant).
    /// </summary>
    private string EmitGpt(LayerInput x)
    {
        var gpt = x.Layer is Gpt g ? g : throw Unreachable(x);
        var time = x.Input[0];
        var tokens = _g.Node("Gather", x.Name + "/wte", [_g.Weight(x.Prefix + ".wte.weight"), x.Value], Int("axis", 0)); // (N, T, D)
        var positions = _g.Int64s(x.Name + "/positions", [.. Enumerable.Range(0, (int)time).Select(i => (long)i)]);      // (T)
        var placed = _g.Node("Gather", x.Name + "/wpe", [_g.Weight(x.Prefix + ".wpe.weight"), positions], Int("axis", 0)); // (T, D)
        var h = _g.Node("Add", x.Name + "/embedded", [tokens, placed]);                                                     // (N, T, D), broadcast over N
        var shape = new Shape(time, gpt.Width);
        for (var i = 0; i < gpt.Layers; i++)
        {
            var (prefix, name) = ($"{x.Prefix}.h.{i}", $"{x.Name}/h.{i}");
            var normed = LayerNormalization(h, prefix + ".ln_1", name + "/ln_1", 1e-5); // nn.LayerNorm's default ε
            var attended = Attention(normed, prefix + ".attn", name + "/attn", shape, gpt.Heads, causal: true,
                qkv: prefix + ".attn.c_attn", projection: prefix + ".attn.c_proj", bias: gpt.Bias);
            h = _g.Node("Add", name + "/residual1", [h, attended]);
            normed = LayerNormalization(h, prefix + ".ln_2", name + "/ln_2", 1e-5);
            var hidden = Linear(normed, prefix + ".mlp.c_fc", name + "/c_fc", 2, gpt.Bias);              // (N, T, 4·D)
            hidden = GeluTanh(hidden, name + "/gelu");
            var projected = Linear(hidden, prefix + ".mlp.c_proj", name + "/c_proj", 2, gpt.Bias);       // (N, T, D)
            h = _g.Node("Add", name + "/residual2", [h, projected]);
        }
        h = LayerNormalization(h, x.Prefix + ".ln_f", x.Name + "/ln_f", 1e-5);
        // Weight tying: the head is wte itself; Linear stores its transpose (D, vocabulary) as a second initializer.
        return Linear(h, x.Prefix + ".wte", x.Name + "/head", 2, bias: false);                          // (N, T, vocabulary)
    }

    /// <summary>
    /// GELU's tanh approximation (GELU(approximate: tanh), what GPT-2 was trained with), which opset 17 lacks as an
    /// operator: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). The exact (erf) GELU is in <see cref="Activate"/>.
    /// </summary>
    private string GeluTanh(string x, string at)
    {
        var square = _g.Node("Mul", at + "/square", [x, x]);
        var cube = _g.Node("Mul", at + "/cube", [square, x]);
        var inner = _g.Node("Add", at + "/inner", [x, _g.Node("Mul", at + "/cube_scaled", [cube, _g.Scalar(at + "/k", 0.044715f)])]);
        var scaled = _g.Node("Mul", at + "/scaled", [inner, _g.Scalar(at + "/sqrt_2_over_pi", (float)Math.Sqrt(2.0 / Math.PI))]);
        var plus = _g.Node("Add", at + "/add", [_g.Node("Tanh", at + "/tanh", [scaled]), _g.Scalar(at + "/one", 1f)]);
        var times = _g.Node("Mul", at + "/mul", [x, plus]);
        return _g.Node("Mul", at, [times, _g.Scalar(at + "/half", 0.5f)]);
    }
}
