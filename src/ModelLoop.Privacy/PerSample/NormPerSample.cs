using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelLoop.Privacy.PerSample;

/// <summary>
/// LayerNorm and GroupNorm: y = x̂ ⊙ γ + β with x̂ normalised within each sample (so, unlike BatchNorm, one sample's
/// output does not depend on the others). Per sample, ∇γ_i = Σ g ⊙ x̂ and ∇β_i = Σ g over the positions that share a
/// parameter; x̂ is recomputed from the captured input. The parameters are small, so the gradients are materialised.
/// </summary>
internal sealed class NormPerSample : PerSampleLayer
{
    private readonly Func<Tensor, Tensor> _normalize;
    private readonly Parameter? _weight, _bias;
    private readonly int _parameterDims;
    private readonly bool _channelsFirst;

    private NormPerSample(string name, nn.Module module, Parameter? weight, Parameter? bias, Func<Tensor, Tensor> normalize, int parameterDims, bool channelsFirst)
        : base(name, module)
    {
        _weight = weight;
        _bias = bias;
        _normalize = normalize;
        _parameterDims = parameterDims;
        _channelsFirst = channelsFirst;
        Parameters = Trainable(name, ("weight", weight), ("bias", bias));
    }

    /// <summary>LayerNorm over the last dims: γ, β have the normalized shape, shared across the leading positions.</summary>
    public static NormPerSample For(string name, LayerNorm norm) =>
        new(name, norm, norm.weight, norm.bias,
            x => nn.functional.layer_norm(x, norm.normalized_shape, null, null, norm.eps), norm.normalized_shape.Length, channelsFirst: false);

    /// <summary>GroupNorm on (B, C, …): γ, β have shape (C), shared across the spatial positions.</summary>
    public static NormPerSample For(string name, GroupNorm norm) =>
        new(name, norm, norm.weight, norm.bias,
            x => nn.functional.group_norm(x, norm.num_groups, null, null, norm.eps), 1, channelsFirst: true);

    public override IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; }

    public override Tensor[] PerSampleGradients(Tensor activation, Tensor backprop)
    {
        var result = new List<Tensor>();
        if (_weight is { requires_grad: true })
            result.Add(ReduceToParameter(backprop * _normalize(activation)));
        if (_bias is { requires_grad: true })
            result.Add(ReduceToParameter(backprop));
        return [.. result];
    }

    // (B, …) → (B, *parameter shape): sum over the positions that share the parameter.
    private Tensor ReduceToParameter(Tensor t)
    {
        var b = t.shape[0];
        if (_channelsFirst)
            return t.reshape(b, t.shape[1], -1).sum(2); // (B, C)
        long[] paramShape = [.. t.shape.TakeLast(_parameterDims)];
        return t.reshape([b, -1, .. paramShape]).sum(1);
    }
}
