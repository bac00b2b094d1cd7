using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelLoop.Privacy.PerSample;

/// <summary>
/// Dense (Linear) layers, y = x Wᵀ + b on inputs (B, …, d). Per sample, with the middle dimensions flattened to T:
/// ∇W_i = Σ_t g_t a_tᵀ (p, d), ∇b_i = Σ_t g_t. Ghost clipping: ‖∇W_i‖² = ‖g_i‖²‖a_i‖² when T = 1, and
/// Σ_{t,s} (a_t·a_s)(g_t·g_s) otherwise, which costs T²(d + p) instead of T·p·d per sample — used when
/// <see cref="PerSampleLayer.GhostIsCheaper"/> says so (always for T = 1).
/// </summary>
internal sealed class LinearPerSample : PerSampleLayer
{
    private readonly Linear _linear;
    private readonly bool _ghost;

    public LinearPerSample(string name, Linear linear, bool ghostClipping) : base(name, linear)
    {
        _linear = linear;
        _ghost = ghostClipping;
        Parameters = Trainable(name, ("weight", linear.weight), ("bias", linear.bias));
    }

    public override IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; }

    private bool TrainsWeight => _linear.weight is { requires_grad: true };
    private bool TrainsBias => _linear.bias is { requires_grad: true };

    public override Tensor[] PerSampleGradients(Tensor activation, Tensor backprop)
    {
        var (a, g) = Flatten(activation, backprop); // (B, T, d), (B, T, p)
        var result = new List<Tensor>();
        if (TrainsWeight) result.Add(einsum("btp,btd->bpd", g, a));
        if (TrainsBias) result.Add(g.sum(1));
        return [.. result];
    }

    public override Tensor NormsSquared(Tensor activation, Tensor backprop, out Tensor[]? perSample)
    {
        var (a, g) = Flatten(activation, backprop);
        long t = a.shape[1], d = a.shape[2], p = g.shape[2];
        if (!_ghost || !GhostIsCheaper(a.shape[0], t, d, p))
            return base.NormsSquared(activation, backprop, out perSample);
        perSample = null;
        var total = zeros(a.shape[0], dtype: a.dtype, device: a.device);
        if (TrainsWeight)
        {
            total = t == 1
                ? a.squeeze(1).square().sum(1) * g.squeeze(1).square().sum(1)
                : (a.bmm(a.transpose(1, 2)) * g.bmm(g.transpose(1, 2))).sum([1, 2]); // (B, T, T) Gram matrices
        }
        if (TrainsBias) total = total + g.sum(1).square().sum(1);
        return total;
    }

    public override Tensor[] SummedGradients(Tensor activation, Tensor backprop)
    {
        var d = activation.shape[^1];
        var p = backprop.shape[^1];
        var a = activation.reshape(-1, d); // (B·T, d)
        var g = backprop.reshape(-1, p);   // (B·T, p)
        var result = new List<Tensor>();
        if (TrainsWeight) result.Add(g.t().mm(a)); // (p, d)
        if (TrainsBias) result.Add(g.sum(0L));
        return [.. result];
    }

    private static (Tensor A, Tensor G) Flatten(Tensor activation, Tensor backprop)
    {
        var b = activation.shape[0];
        return (activation.reshape(b, -1, activation.shape[^1]), backprop.reshape(b, -1, backprop.shape[^1]));
    }
}
