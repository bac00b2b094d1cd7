using ModelLoop.Modeling;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Reports;

/// <summary>
/// A <see cref="Model"/> as a <see cref="IVariantPredictor"/>: eval mode, no gradients, one forward pass per call — TorchSharp
/// for ordinary packages, ONNX Runtime for an <see cref="InferenceOnlyModel"/> loaded from an int8 package.
/// </summary>
public sealed class ModelVariantPredictor : IVariantPredictor
{
    private readonly Model _model;
    private readonly bool _owns;

    /// <param name="model">The model to run.</param>
    /// <param name="ownsModel">Dispose the model with this predictor. Defaults to false.</param>
    public ModelVariantPredictor(Model model, bool ownsModel = false)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _owns = ownsModel;
        _model.Network.eval();
    }

    public Tensor Predict(Tensor inputs)
    {
        using var _ = no_grad();
        return _model.Network.forward(inputs);
    }

    public void Dispose()
    {
        if (_owns)
            _model.Dispose();
    }
}
