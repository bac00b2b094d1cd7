using ModelLoop.Modeling.Layers;
using static TorchSharp.torch;

namespace ModelLoop.Modeling;

/// <summary>
/// A model whose layers form a directed acyclic graph — skip connections, branches, merges — built with
/// the functional API (<see cref="Node"/>) or from a spec with a <c>graph</c>. Shapes are inferred node by
/// node as in <see cref="Sequential"/>; errors name the node and the shapes involved.
/// </summary>
public sealed class FunctionalModel : Model
{
    private const string InputName = "input";
    private readonly IReadOnlyList<GraphNode> _graph;

    /// <summary>Builds the model that computes <paramref name="output"/> from <paramref name="input"/>.</summary>
    public FunctionalModel(Node input, Node output)
        : base(input?.InputShape ?? throw new ArgumentException("The first argument must be the model input, made with Node.Input(...).", nameof(input)), input.InputKind)
    {
        ArgumentNullException.ThrowIfNull(output);
        _graph = Flatten(input, output);
    }

    private FunctionalModel(Shape inputShape, InputKind kind, IReadOnlyList<GraphNode> graph) : base(inputShape, kind) => _graph = graph;

    /// <summary>Builds the graph model a spec with a <c>graph</c> describes.</summary>
    public static new FunctionalModel FromSpec(ModelSpec spec)
    {
        if (spec.Graph is not { Count: > 0 } graph)
            throw new FormatException("This spec has no graph; build it with Model.FromSpec or Sequential.FromSpec.");
        return new FunctionalModel(new Shape(spec.InputShape), spec.InputKind, graph.ToArray());
    }

    /// <summary>The nodes in topological order, as they appear in the spec.</summary>
    public IReadOnlyList<GraphNode> Graph => _graph;

    public override ModelSpec ToSpec() => new(InputShape.ToArray(), [], InputKind) { Graph = _graph.ToArray() };

    private protected override (nn.Module<Tensor, Tensor> Module, Shape Output, IReadOnlyList<LayerSummary> Rows) BuildNetwork()
    {
        var index = new Dictionary<string, int> { [InputName] = 0 };
        var shapes = new List<Shape> { InputShape };
        var steps = new List<GraphModule.Step>();
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        var rows = new List<LayerSummary>();
        var names = new LayerNames();
        foreach (var node in _graph)
        {
            if (string.IsNullOrWhiteSpace(node.Name) || !index.TryAdd(node.Name, index.Count))
                throw new ModelBuildException($"Graph node name '{node.Name}' is empty, reserved (\"{InputName}\") or used twice; node names must be unique.");
            names.For(node.Name, node.Layer?.GetType().Name ?? node.Merge?.ToString() ?? "node");
            var inputs = node.Inputs.Select(name => index.TryGetValue(name, out var i) && i < index.Count - 1
                ? i
                : throw new ModelBuildException($"Graph node '{node.Name}' reads '{name}', which is not defined before it. Inputs must name \"{InputName}\" or an earlier node.")).ToArray();
            Shape output;
            if (node.Layer is { } layer && node.Merge is null)
            {
                if (inputs.Length != 1)
                    throw new ModelBuildException($"Graph node '{node.Name}' ({layer.GetType().Name}) applies a layer, which takes one input; received {inputs.Length}. Merge branches first with Add, Multiply or Concatenate.");
                if (inputs[0] == 0)
                    CheckInputKind(layer);
                var built = layer.Build(shapes[inputs[0]], node.Name);
                modules.Add((node.Name, built.Module));
                steps.Add(new GraphModule.Step(modules.Count - 1, null, inputs));
                output = built.Output;
                rows.Add(new LayerSummary(node.Name, layer.GetType().Name, output,
                    built.Module.parameters().Sum(p => p.numel()) + built.Module.buffers().Where(b => b.is_floating_point()).Sum(b => b.numel())));
            }
            else if (node.Merge is { } merge && node.Layer is null)
            {
                output = MergedShape(node.Name, merge, inputs.Select(i => shapes[i]).ToArray());
                steps.Add(new GraphModule.Step(-1, merge, inputs));
                rows.Add(new LayerSummary(node.Name, merge.ToString(), output, 0));
            }
            else
            {
                throw new ModelBuildException($"Graph node '{node.Name}' must have either a layer or a merge; it has {(node.Layer is null ? "neither" : "both")}.");
            }
            shapes.Add(output);
        }
        if (_graph.Count == 0)
            throw new ModelBuildException("The graph has no nodes. Apply at least one layer to the input.");
        return (new GraphModule(modules, steps), shapes[^1], rows);
    }

    private static Shape MergedShape(string name, Merge merge, Shape[] inputs)
    {
        if (inputs.Length < 2)
            throw new ModelBuildException($"Graph node '{name}' ({merge}) joins two or more inputs; received {inputs.Length}.");
        if (merge != Merge.Concatenate)
        {
            if (inputs.Any(s => !s.Equals(inputs[0])))
                throw new ModelBuildException($"Graph node '{name}' ({merge}) needs inputs of one shape; received {string.Join(", ", inputs.Select(s => s.ToString()))}. Project the branches to the same shape first.");
            return inputs[0];
        }
        if (inputs.Any(s => s.Rank != inputs[0].Rank || !s.Dims.Skip(1).SequenceEqual(inputs[0].Dims.Skip(1))))
            throw new ModelBuildException($"Graph node '{name}' (Concatenate) joins along the first per-sample dimension and needs the others to match; received {string.Join(", ", inputs.Select(s => s.ToString()))}.");
        return new Shape([inputs.Sum(s => s[0]), .. inputs[0].Dims.Skip(1)]);
    }

    // Depth-first from the output: every node after the nodes it reads, each once, then named.
    private static IReadOnlyList<GraphNode> Flatten(Node input, Node output)
    {
        var order = new List<Node>();
        var state = new Dictionary<Node, bool>(ReferenceEqualityComparer.Instance); // false: visiting, true: done
        void Visit(Node node)
        {
            if (state.TryGetValue(node, out var done))
            {
                if (!done)
                    throw new ModelBuildException("The graph has a cycle.");
                return;
            }
            if (node.IsInput)
            {
                if (!ReferenceEquals(node, input))
                    throw new ModelBuildException("The output depends on a Node.Input that is not the model's input. A FunctionalModel has exactly one input.");
                state[node] = true;
                return;
            }
            state[node] = false;
            foreach (var parent in node.Inputs)
                Visit(parent);
            state[node] = true;
            order.Add(node);
        }
        Visit(output);
        if (order.Count == 0)
            throw new ModelBuildException("The output is the input itself. Apply at least one layer, e.g. input.Then(new Dense(10)).");
        var names = new LayerNames();
        var nodeNames = new Dictionary<Node, string>(ReferenceEqualityComparer.Instance) { [input] = InputName };
        var graph = new List<GraphNode>();
        foreach (var node in order)
        {
            var name = node.Layer is { } layer ? names.For(layer) : names.For(null, node.MergeKind!.Value.ToString());
            nodeNames[node] = name;
            graph.Add(new GraphNode(name, node.Inputs.Select(i => nodeNames[i]).ToArray(),
                node.Layer is null ? null : node.Layer with { Name = name }, node.MergeKind));
        }
        return graph;
    }
}
