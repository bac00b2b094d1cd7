using Gpt = ModelLoop.Modeling.Layers.Gpt;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelLoop.Modeling.Transformers;

/// <summary>GPT-2's feed-forward network: c_fc to 4·D, GELU (tanh approximation, as GPT-2 was trained), c_proj back; (B, T, D) → (B, T, D).
/// The projections run through <c>call</c>, not <c>forward</c>, so forward hooks on them (LoRA adapters) take effect.</summary>
internal sealed class GptMlp : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // names are GPT-2's parameter names
    private readonly Linear c_fc;
    private readonly Linear c_proj;
    private readonly nn.Module<Tensor, Tensor> dropout;
#pragma warning restore IDE1006

    public GptMlp(Gpt config) : base(nameof(GptMlp))
    {
        c_fc = nn.Linear(config.Width, 4L * config.Width, hasBias: config.Bias);
        c_proj = nn.Linear(4L * config.Width, config.Width, hasBias: config.Bias);
        dropout = nn.Dropout(config.Dropout);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var hidden = nn.functional.gelu(c_fc.call(input), GELU.Approximate.tanh);     // (B, T, 4·D)
        return dropout.forward(c_proj.call(hidden)).MoveToOuterDisposeScope();      // (B, T, D)
    }
}
