namespace ModelLoop.Optimization.Pruning;

/// <summary>Zeros in one prunable tensor.</summary>
/// <param name="Name">The parameter, e.g. "dense_1.op.weight".</param>
public sealed record LayerSparsity(string Name, long Elements, long Zeros)
{
    /// <summary>Zeros ÷ elements.</summary>
    public double Sparsity => Elements == 0 ? 0 : (double)Zeros / Elements;
}
