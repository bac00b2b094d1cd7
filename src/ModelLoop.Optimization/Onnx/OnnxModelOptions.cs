namespace ModelLoop.Optimization.Onnx;

/// <summary>How <see cref="OnnxModel"/> sets up its ONNX Runtime session. Graph optimizations are always at their highest level.</summary>
public sealed record OnnxModelOptions
{
    /// <summary>Threads one operator may use; 0 lets ONNX Runtime choose (one per physical core). Must be 0 or more. Defaults to 0.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Whether ONNX Runtime may run independent operators in parallel (inter-op threads). Defaults to false (sequential, the lower latency for small models).</summary>
    public bool ParallelExecution { get; init; }
}
