using ModelLoop.Data;
using ModelLoop.Evaluation;
using ModelLoop.Modeling;
using static TorchSharp.torch;

namespace ModelLoop.Privacy.Audit;

/// <summary>
/// The per-example statistic both attacks read from a classifier: the logit-scaled confidence in the true class,
/// φ = log(p_y / (1 − p_y)) (Carlini et al. 2022, §IV-B: close to Gaussian across models, unlike p_y itself). The
/// cross-entropy loss is −log p_y = log(1 + e^{−φ}), so the loss attack ranks examples by φ as well.
/// </summary>
internal static class MembershipScores
{
    /// <summary>φ of each example of <paramref name="data"/> under <paramref name="model"/> (n).</summary>
    public static double[] LogitConfidence(Model model, TensorDataset data)
    {
        using var outputs = model.Predict(data.Features);
        return LogitConfidence(outputs, ModelOutputs.ToLabels(data.Labels));
    }

    /// <summary>
    /// φ from raw outputs (N, classes) of logits — computed as z_y − logsumexp_{j≠y} z_j in float64, exact where softmax
    /// would round p_y to 1 — or (N, 1) of a binary model (a probability, or a logit when a value is outside [0, 1], as
    /// <see cref="ModelOutputs"/> reads them).
    /// </summary>
    public static double[] LogitConfidence(Tensor outputs, IReadOnlyList<int> labels)
    {
        using var _ = NewDisposeScope();
        var n = outputs.shape[0];
        if (labels.Count != n)
            throw new ArgumentException($"Membership scores need one label per output row; received {labels.Count} labels for {n} rows.", nameof(labels));
        var z = outputs.reshape(n, -1).to(ScalarType.Float64).cpu();
        var y = tensor(labels.Select(l => (long)l).ToArray());
        Tensor phi;
        if (z.shape[1] > 1)
        {
            if (labels.Any(l => l >= z.shape[1]))
                throw new ArgumentException($"A label ({labels.Max()}) is outside the model's {z.shape[1]} classes; audit the model on the data it was trained on.", nameof(labels));
            var index = y.unsqueeze(1);
            var own = z.gather(1, index).squeeze(1);
            var others = z.scatter(1, index, tensor(double.NegativeInfinity, ScalarType.Float64).expand(n, 1)).logsumexp(1);
            phi = own - others;
        }
        else
        {
            var p = z.reshape(-1);
            var isProbability = n == 0 || (p.min().item<double>() >= 0 && p.max().item<double>() <= 1);
            // A probability of exactly 0 or 1 has an infinite logit; clamp to float64's resolution near 1.
            var logit = isProbability ? p.clamp(1e-15, 1 - 1e-15).logit() : p;
            phi = where(y.eq(1), logit, -logit);
        }
        return phi.contiguous().data<double>().ToArray();
    }

    /// <summary>The cross-entropy loss −log p_y = log(1 + e^{−φ}), computed without overflow.</summary>
    public static double Loss(double phi) => phi > 0 ? double.LogP1(Math.Exp(-phi)) : -phi + double.LogP1(Math.Exp(phi));
}
