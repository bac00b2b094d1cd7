using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelLoop.Language.Adapters;

/// <summary>
/// One adapter: A (r, in) and B (out, r), registered as the submodule "lora" of the linear layer it adapts, so its
/// parameters are named "&lt;layer&gt;.lora.A" / ".lora.B" among the model's and train through the ordinary trainer.
/// A forward hook on the layer adds <see cref="Delta"/> to the layer's output.
/// </summary>
internal sealed class LoraModule : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // registered by field name: these become the parameter names
    private readonly Parameter A;
    private readonly Parameter B;
    private readonly nn.Module<Tensor, Tensor> dropout;
#pragma warning restore IDE1006

    /// <param name="a">(r, in); copied into the module's parameter.</param>
    /// <param name="b">(out, r); copied into the module's parameter.</param>
    public LoraModule(Tensor a, Tensor b, double scale, double dropoutRate) : base(nameof(LoraModule))
    {
        // The module outlives any dispose scope its caller has open: keep its tensors out of it.
        A = new Parameter(a.detach().to(ScalarType.Float32).clone().DetachFromDisposeScope());
        B = new Parameter(b.detach().to(ScalarType.Float32).clone().DetachFromDisposeScope());
        A.DetachFromDisposeScope();
        B.DetachFromDisposeScope();
        dropout = nn.Dropout(dropoutRate);
        Scale = scale;
        RegisterComponents();
    }

    public double Scale { get; }

    public Parameter WeightA => A;

    public Parameter WeightB => B;

    public long Rank => A.shape[0];

    /// <summary>(…, in) → (…, out): (α / r) · dropout(x) · Aᵀ · Bᵀ, the low-rank path beside the frozen W.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var low = nn.functional.linear(dropout.forward(input), A.to(input.dtype));   // (…, r)
        return (nn.functional.linear(low, B.to(input.dtype)) * Scale).MoveToOuterDisposeScope(); // (…, out)
    }

    /// <summary>ΔW = (α / r) · B · A, (out, in): what merging adds to the layer's weight.</summary>
    public Tensor DeltaWeight()
    {
        using var _ = no_grad();
        return B.matmul(A).mul_(Scale);
    }
}
