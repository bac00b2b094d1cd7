using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Onnx;

/// <summary>
/// Checks an exported graph against its model: both run the same random inputs (N(0, 1) values, or token ids below
/// the Embedding's vocabulary) and the largest absolute difference of their outputs is returned.
/// <code>
/// var onnx = OnnxExporter.Export(model);
/// double difference = OnnxVerification.MaxDifference(model, onnx);   // ~1e-6 for float32
/// </code>
/// </summary>
public static class OnnxVerification
{
    /// <summary>Random inputs for <paramref name="model"/>: N(0, 1) float32, or int64 token ids in [0, vocabulary).</summary>
    public static Tensor RandomInputs(Model model, int count, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (count < 1)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be positive; received {count}.");
        TorchRuntime.EnsureLoaded();
        using var generator = new Generator().manual_seed(seed);
        return model.InputKind == InputKind.TokenIds
            ? randint(0, VocabularySize(model), model.InputShape.WithBatch(count), dtype: ScalarType.Int64, generator: generator)
            : randn(model.InputShape.WithBatch(count), generator: generator);
    }

    /// <summary>The largest |ONNX Runtime − TorchSharp| over <paramref name="samples"/> random inputs.</summary>
    public static double MaxDifference(Model model, byte[] onnx, int samples = 16, long seed = 0)
    {
        using var inputs = RandomInputs(model, samples, seed);
        return MaxDifference(model, onnx, inputs);
    }

    /// <summary>The largest |ONNX Runtime − TorchSharp| over <paramref name="inputs"/> (TorchSharp as <see cref="Reference"/> computes it).</summary>
    public static double MaxDifference(Model model, byte[] onnx, Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        using var expected = Reference(model, inputs);
        using var session = new OnnxModel(onnx);
        using var actual = session.Predict(inputs);
        if (!expected.shape.SequenceEqual(actual.shape))
            throw new InvalidDataException($"The ONNX graph outputs [{string.Join(", ", actual.shape)}] but the model outputs [{string.Join(", ", expected.shape)}] for the same inputs; export the graph from this model.");
        using var difference = (actual - expected).abs().max();
        return difference.item<float>();
    }

    /// <summary>
    /// The model's outputs in evaluation mode: <see cref="Model.Predict"/>, except for models with an LSTM. Under
    /// no_grad, libtorch 2.10 runs an LSTM through its oneDNN inference kernel, whose outputs on some CPUs (seen on
    /// AMD EPYC) disagree with the LSTM equations by up to ~0.1, while its autograd path agrees with them (and with
    /// ONNX Runtime) to ~1e-7; the reference for LSTM models is that path, still in evaluation mode.
    /// </summary>
    public static Tensor Reference(Model model, Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!model.Network.modules().Any(m => m is TorchSharp.Modules.LSTM))
            return model.Predict(inputs);
        var network = model.Network;
        var wasTraining = network.training;
        network.eval();
        try
        {
            using var _ = enable_grad();
            using var outputs = network.forward(inputs.to(model.Device));
            return outputs.detach().cpu();
        }
        finally
        {
            network.train(wasTraining);
        }
    }

    private static long VocabularySize(Model model) => model.ToSpec().VocabularySize
        ?? throw new ArgumentException("The model takes token ids but its input goes into neither an Embedding nor a Gpt layer; start it with new Embedding(vocabularySize, dimensions).", nameof(model));
}
