using ModelLoop.Modeling.Layers;

namespace ModelLoop.Modeling;

/// <summary>
/// A symbolic tensor for building graph models (the functional API): start from <see cref="Input"/>,
/// apply layers with <see cref="Then"/>, join branches with <see cref="Add"/>, <see cref="Multiply"/> or
/// <see cref="Concatenate"/>, then pass input and output to <see cref="FunctionalModel"/>:
/// <code>
/// var input = Node.Input(1, 28, 28);
/// var stem = input.Then(new Conv2D(32, 3, Activation.Relu, Padding: Padding.Same));
/// var branch = stem.Then(new Conv2D(32, 3, Activation.Relu, Padding: Padding.Same)).Then(new Conv2D(32, 3, Padding: Padding.Same));
/// var output = Node.Add(stem, branch).Then(new Flatten()).Then(new Dense(10));
/// var model = new FunctionalModel(input, output);
/// </code>
/// Nodes are immutable; shapes are checked when the model is built.
/// </summary>
public sealed class Node
{
    private Node(Shape? inputShape, InputKind inputKind, Layer? layer, Merge? merge, IReadOnlyList<Node> inputs)
    {
        InputShape = inputShape;
        InputKind = inputKind;
        Layer = layer;
        MergeKind = merge;
        Inputs = inputs;
    }

    /// <summary>The model input: one sample's shape, PyTorch order.</summary>
    public static Node Input(params long[] shape) => Input(new Shape(shape));

    public static Node Input(Shape shape, InputKind kind = InputKind.Float) => new(shape, kind, null, null, []);

    /// <summary>This node with <paramref name="layer"/> applied.</summary>
    public Node Then(Layer layer) => new(null, InputKind, layer ?? throw new ArgumentNullException(nameof(layer)), null, [this]);

    public static Node Add(params Node[] inputs) => Join(Modeling.Merge.Add, inputs);
    public static Node Multiply(params Node[] inputs) => Join(Modeling.Merge.Multiply, inputs);
    public static Node Concatenate(params Node[] inputs) => Join(Modeling.Merge.Concatenate, inputs);

    internal Shape? InputShape { get; }
    internal InputKind InputKind { get; }
    internal Layer? Layer { get; }
    internal Merge? MergeKind { get; }
    internal IReadOnlyList<Node> Inputs { get; }
    internal bool IsInput => InputShape is not null;

    private static Node Join(Merge merge, Node[] inputs)
    {
        if (inputs is null || inputs.Length < 2 || inputs.Any(i => i is null))
            throw new ArgumentException($"{merge} joins two or more nodes; received {inputs?.Length ?? 0}.", nameof(inputs));
        return new(null, inputs[0].InputKind, null, merge, inputs);
    }
}
