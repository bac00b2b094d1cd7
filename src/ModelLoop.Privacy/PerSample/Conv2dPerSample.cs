using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelLoop.Privacy.PerSample;

/// <summary>
/// 2-D convolutions (groups = 1, zero padding). The input is unfolded into patches, a (B, C·kh·kw, L) for L output
/// positions, and the backprop viewed as g (B, O, L); then ∇W_i = g_i a_iᵀ (O, C·kh·kw) and ∇b_i = Σ_l g_i.
/// Ghost clipping: ‖∇W_i‖² = Σ_{l,m} (a_l·a_m)(g_l·g_m), cheaper when 2L² ≤ O·C·kh·kw (late, small feature maps).
/// </summary>
internal sealed class Conv2dPerSample : PerSampleLayer
{
    private readonly Conv2d _conv;
    private readonly bool _ghost;
    private readonly (long, long) _kernel, _stride, _padding, _dilation;

    public Conv2dPerSample(string name, Conv2d conv, bool ghostClipping) : base(name, conv)
    {
        _conv = conv;
        _ghost = ghostClipping;
        _kernel = (conv.kernel_size[0], conv.kernel_size[1]);
        _stride = Pair(conv.stride);
        _dilation = Pair(conv.dilation);
        _padding = Pair(conv.padding ?? []);
        Parameters = Trainable(name, ("weight", conv.weight), ("bias", conv.bias));
    }

    /// <summary>Why this convolution cannot get per-sample gradients here, or null when it can.</summary>
    public static string? Unsupported(Conv2d conv) =>
        conv.groups != 1 ? $"groups = {conv.groups} (only 1 is supported)"
        : conv.transposed ? "a transposed convolution"
        : conv.padding_mode != TorchSharp.PaddingModes.Zeros ? $"padding mode {conv.padding_mode} (only zeros is supported)"
        : conv.padding_type is not null ? $"padding given as {conv.padding_type} rather than in pixels"
        : null;

    public override IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; }

    private bool TrainsWeight => _conv.weight is { requires_grad: true };
    private bool TrainsBias => _conv.bias is { requires_grad: true };

    public override Tensor[] PerSampleGradients(Tensor activation, Tensor backprop)
    {
        var (a, g) = Patches(activation, backprop); // (B, K, L), (B, O, L)
        var result = new List<Tensor>();
        if (TrainsWeight) result.Add(g.bmm(a.transpose(1, 2)).reshape([a.shape[0], .. _conv.weight!.shape])); // (B, O, L) × (B, L, K)
        if (TrainsBias) result.Add(g.sum(2));
        return [.. result];
    }

    public override Tensor NormsSquared(Tensor activation, Tensor backprop, out Tensor[]? perSample)
    {
        var (a, g) = Patches(activation, backprop);
        long k = a.shape[1], l = a.shape[2], o = g.shape[1];
        if (!_ghost || 2 * l * l > o * k)
            return base.NormsSquared(activation, backprop, out perSample);
        perSample = null;
        var total = zeros(a.shape[0], dtype: a.dtype, device: a.device);
        if (TrainsWeight)
            total = (a.transpose(1, 2).bmm(a) * g.transpose(1, 2).bmm(g)).sum([1, 2]); // (B, L, L) Gram matrices
        if (TrainsBias) total = total + g.sum(2).square().sum(1);
        return total;
    }

    public override Tensor[] SummedGradients(Tensor activation, Tensor backprop)
    {
        var result = new List<Tensor>();
        if (TrainsWeight)
        {
            // Σ_i g_i a_iᵀ is the convolution's ordinary weight gradient for these backprops: libtorch's own kernel
            // (through autograd on a fresh forward of the captured input) is ~10× faster than an unfold + matmul.
            using var enabled = enable_grad();
            using var w = _conv.weight!.detach().requires_grad_(true);
            using var output = nn.functional.conv2d(activation, w, null, [_stride.Item1, _stride.Item2], [_padding.Item1, _padding.Item2], [_dilation.Item1, _dilation.Item2]);
            result.Add(autograd.grad([output], [w], [backprop])[0]);
        }
        if (TrainsBias) result.Add(backprop.sum([0, 2, 3]));
        return [.. result];
    }

    private (Tensor A, Tensor G) Patches(Tensor activation, Tensor backprop)
    {
        var a = nn.functional.unfold(activation, _kernel, _dilation, _padding, _stride);
        var g = backprop.contiguous().reshape(backprop.shape[0], backprop.shape[1], -1);
        return (a, g);
    }

    private static (long, long) Pair(long[] v) => v.Length switch
    {
        0 => (0, 0),
        1 => (v[0], v[0]),
        _ => (v[0], v[1]),
    };
}
