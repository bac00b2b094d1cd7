using System.Collections;
using ModelLoop.Modeling.Layers;
using static TorchSharp.torch;

namespace ModelLoop.Modeling;

/// <summary>
/// A stack of layers with shape inference, Keras-style:
/// <code>
/// var model = new Sequential(1, 28, 28)
/// {
///     new Conv2D(32, 3, Activation.Relu),
///     new MaxPool2D(2),
///     new Flatten(),
///     new Dense(128, Activation.Relu),
///     new Dense(10),
/// };
/// </code>
/// Layers cannot be added once the network is built (by Summary, Fit, Predict or Network).
/// </summary>
public sealed class Sequential : Model, IEnumerable<Layer>
{
    private readonly List<Layer> _layers = new();

    /// <summary>Creates an empty model for samples of the given shape (PyTorch order, e.g. 1, 28, 28).</summary>
    public Sequential(params long[] inputShape) : this(new Shape(inputShape)) { }

    public Sequential(Shape inputShape, InputKind inputKind = InputKind.Float) : base(inputShape, inputKind) { }

    /// <summary>Builds the stack a (layer-list) spec describes.</summary>
    public static new Sequential FromSpec(ModelSpec spec)
    {
        if (spec.Graph is { Count: > 0 })
            throw new FormatException("This spec describes a graph; build it with Model.FromSpec or FunctionalModel.FromSpec.");
        var model = new Sequential(new Shape(spec.InputShape), spec.InputKind);
        foreach (var layer in spec.Layers)
            model.Add(layer);
        return model;
    }

    public IReadOnlyList<Layer> Layers => _layers;

    public void Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (IsBuilt)
            throw new InvalidOperationException($"Cannot add layer {layer.GetType().Name} after the model was built (by Summary, Fit, Predict or Network). Add every layer first.");
        _layers.Add(layer);
    }

    public IEnumerator<Layer> GetEnumerator() => _layers.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override ModelSpec ToSpec() => new(InputShape.ToArray(), _layers.ToArray(), InputKind);

    private protected override (nn.Module<Tensor, Tensor> Module, Shape Output, IReadOnlyList<LayerSummary> Rows) BuildNetwork()
    {
        if (_layers.Count == 0)
            throw new ModelBuildException("The model has no layers. Add at least one, e.g. model.Add(new Dense(10)).");
        CheckInputKind(_layers[0]);
        return LayerStack.Build(_layers, InputShape, new LayerNames());
    }
}
