using static TorchSharp.torch;

namespace ModelLoop.Evaluation;

/// <summary>
/// Turns a classifier's raw outputs into class probabilities, (N, classes) as float64: several outputs are
/// logits (the cross-entropy contract), so softmax; one output is P(class 1) — the binary cross-entropy
/// contract, a sigmoid layer — unless a value lies outside [0, 1], in which case the batch is taken as logits
/// and a sigmoid is applied.
/// </summary>
public static class ModelOutputs
{
    public static double[,] ToProbabilities(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var _ = NewDisposeScope();
        var n = output.shape[0];
        var flat = output.reshape(n, -1).to(ScalarType.Float64).cpu();
        var columns = flat.shape[1];
        Tensor probabilities;
        if (columns > 1)
            probabilities = flat.softmax(1);
        else
        {
            var p = flat.reshape(-1);
            var isProbability = n == 0 || (p.min().item<double>() >= 0 && p.max().item<double>() <= 1);
            if (!isProbability)
                p = p.sigmoid();
            probabilities = stack([1 - p, p], 1);
        }
        var k = (int)probabilities.shape[1];
        var values = probabilities.contiguous().data<double>().ToArray();
        var result = new double[n, k];
        Buffer.BlockCopy(values, 0, result, 0, values.Length * sizeof(double));
        return result;
    }

    /// <summary>Class-index labels from a (N) or (N, 1) tensor of integers or 0/1 floats.</summary>
    public static int[] ToLabels(Tensor target)
    {
        ArgumentNullException.ThrowIfNull(target);
        using var _ = NewDisposeScope();
        var values = target.reshape(-1).to(ScalarType.Float64).cpu().data<double>().ToArray();
        var result = new int[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] != Math.Round(values[i]) || values[i] < 0)
                throw new ArgumentException($"Classification labels must be non-negative class indices; received {values[i]} at position {i}. For regression targets use the regression metrics.");
            result[i] = (int)values[i];
        }
        return result;
    }
}
