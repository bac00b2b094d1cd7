using ModelLoop.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Serving.Batching;

/// <summary>The TorchSharp network of a package with weights, in evaluation mode, without gradients.</summary>
internal sealed class TorchSharpBackend : InferenceBackend
{
    /// <param name="model">The network; the backend owns it.</param>
    public TorchSharpBackend(Model model)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        model.Network.eval();
    }

    public Model Model { get; }
    public override string Name => "torchsharp";
    public override Shape InputShape => Model.InputShape;
    public override InputKind InputKind => Model.InputKind;
    public override Shape OutputShape => Model.OutputShape;
    public override int? VocabularySize => Model.InputKind == InputKind.TokenIds ? Model.ToSpec().VocabularySize : null;

    // libtorch's CPU build uses OpenMP, whose thread count is per calling thread: set on the server's main thread,
    // it does not reach the worker, whose batched forwards (2+ rows) then ran OpenMP teams of one thread per core —
    // on 2 shared cores dynamic batching of a small model fell ~5× below one-by-one.
    public override void OnWorkerStart(int? torchThreads)
    {
        if (torchThreads is { } threads)
            torch.set_num_threads(threads);
    }

    public override BatchOutput Forward(float[] values, int count, bool embeddings)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var input = tensor(values, Model.InputShape.WithBatch(count));
        if (Model.InputKind == InputKind.TokenIds)
            input = input.to(ScalarType.Int64);
        input = input.to(Model.Device);
        if (!embeddings)
            return new BatchOutput(Floats(Model.Network.forward(input)));
        var (output, embedding) = Model.ForwardWithEmbedding(input);
        return new BatchOutput(Floats(output), Floats(embedding), (int)embedding.shape[1]); // embedding (count, width)
    }

    public override void Dispose() => Model.Dispose();

    private static float[] Floats(Tensor tensor) => tensor.cpu().to(ScalarType.Float32).data<float>().ToArray();
}
