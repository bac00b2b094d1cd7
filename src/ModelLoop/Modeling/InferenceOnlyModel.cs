using ModelLoop.Modeling.Layers;
using static TorchSharp.torch;

namespace ModelLoop.Modeling;

/// <summary>
/// A model whose forward pass runs outside TorchSharp — an int8 ONNX Runtime session — behind a TorchSharp module, so
/// everything that predicts with a <see cref="Model"/> (evaluation, champion vs challenger, the server's batching,
/// drift monitoring's embeddings) runs it unchanged. It has no trainable parameters: it cannot be fitted; fine-tune the
/// model it was made from (its package's lineage names it) instead.
/// </summary>
public sealed class InferenceOnlyModel : Model
{
    private readonly ModelSpec _spec;
    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly Shape _output;
    private readonly string _runtime;

    /// <param name="spec">The architecture it was made from (what the package's spec says); kept for display and lineage.</param>
    /// <param name="module">Runs the forward pass; implement <see cref="IForwardWithEmbedding"/> for drift monitoring's embeddings.</param>
    /// <param name="outputShape">The per-sample output shape.</param>
    /// <param name="runtime">What executes it, e.g. "onnxruntime"; shown in the summary.</param>
    public InferenceOnlyModel(ModelSpec spec, nn.Module<Tensor, Tensor> module, Shape outputShape, string runtime)
        : base(new Shape((spec ?? throw new ArgumentNullException(nameof(spec))).InputShape), spec.InputKind)
    {
        _spec = spec;
        _module = module ?? throw new ArgumentNullException(nameof(module));
        _output = outputShape ?? throw new ArgumentNullException(nameof(outputShape));
        ArgumentException.ThrowIfNullOrWhiteSpace(runtime);
        _runtime = runtime;
    }

    /// <summary>What executes the forward pass, e.g. "onnxruntime".</summary>
    public string Runtime => _runtime;

    public override ModelSpec ToSpec() => _spec;

    private protected override (nn.Module<Tensor, Tensor> Module, Shape Output, IReadOnlyList<LayerSummary> Rows) BuildNetwork() =>
        (_module, _output, [new LayerSummary(_runtime, "InferenceOnly", _output, 0)]);
}
