using ModelLoop.Modeling.Layers;

namespace ModelLoop.Modeling;

/// <summary>One node of a graph model's spec: a layer applied to one input, or a merge of several.</summary>
/// <param name="Name">Unique node name; "input" is reserved for the model input.</param>
/// <param name="Inputs">Names of the nodes it reads, defined earlier in the list.</param>
/// <param name="Layer">The layer, for a one-input node.</param>
/// <param name="Merge">The merge, for a node with two or more inputs.</param>
public sealed record GraphNode(string Name, IReadOnlyList<string> Inputs, Layer? Layer = null, Merge? Merge = null);
