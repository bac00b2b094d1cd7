namespace ModelLoop.Optimization.Pruning;

/// <summary>What pruning removes.</summary>
public enum PruningStructure
{
    /// <summary>Single weights (unstructured): the model keeps its shape with zeros held by masks. Smaller when compressed, not faster on a CPU.</summary>
    Weights,
    /// <summary>Whole Conv2D output channels and hidden Dense neurons: a smaller dense model, faster on a CPU.</summary>
    Channels,
}
