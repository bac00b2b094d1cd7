using System.Globalization;
using System.Text;
using ModelLoop.Modeling;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Pruning;

/// <summary>The achieved sparsity of a model: per prunable tensor and over all of them.</summary>
public sealed record SparsityReport(IReadOnlyList<LayerSparsity> Layers)
{
    /// <summary>Zeros ÷ elements over every prunable tensor.</summary>
    public double Overall => Elements == 0 ? 0 : (double)Layers.Sum(l => l.Zeros) / Elements;
    /// <summary>Elements of all prunable tensors.</summary>
    public long Elements => Layers.Sum(l => l.Elements);
    /// <summary>Zeros of all prunable tensors.</summary>
    public long Zeros => Layers.Sum(l => l.Zeros);

    /// <summary>Counts the zeros of the prunable weights (rank ≥ 2, not excluded) as they are now.</summary>
    public static SparsityReport Measure(Model model, IReadOnlyList<string>? exclude = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var _ = NewDisposeScope();
        return new SparsityReport(MagnitudeMasks.Prunable(model, exclude ?? [])
            .Select(w => new LayerSparsity(w.Name, w.Parameter.numel(), w.Parameter.eq(0).sum().item<long>()))
            .ToList());
    }

    /// <summary>One line per tensor ("dense_1.op.weight  692,224  90.3%") and the overall line.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        var width = Math.Max(8, Layers.Count == 0 ? 0 : Layers.Max(l => l.Name.Length));
        foreach (var layer in Layers)
            text.AppendLine(CultureInfo.InvariantCulture, $"{layer.Name.PadRight(width)}  {layer.Elements,12:N0}  {layer.Sparsity,7:P1}");
        text.Append(CultureInfo.InvariantCulture, $"{"overall".PadRight(width)}  {Elements,12:N0}  {Overall,7:P1}");
        return text.ToString();
    }
}
