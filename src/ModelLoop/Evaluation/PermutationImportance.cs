using ModelLoop.Data;
using ModelLoop.Modeling;
using static TorchSharp.torch;

namespace ModelLoop.Evaluation;

/// <summary>
/// Permutation feature importance for tabular models (features (N, F)), as scikit-learn's
/// <c>permutation_importance</c>: each feature's column is shuffled <paramref name="repeats"/> times (seeded) and
/// the drop of the score from the unshuffled baseline recorded. The score is accuracy for int64 labels, R² otherwise.
/// </summary>
public static class PermutationImportance
{
    /// <param name="featureNames">Names by column, for reports. Defaults to "feature 0", "feature 1", ….</param>
    /// <param name="repeats">Shuffles per feature. Defaults to 5.</param>
    /// <param name="seed">Seed of the shuffles. Defaults to 0.</param>
    /// <returns>One entry per feature, most important first.</returns>
    public static IReadOnlyList<FeatureImportance> Compute(Model model, TensorDataset data, IReadOnlyList<string>? featureNames = null, int repeats = 5, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Features.dim() != 2)
            throw new ArgumentException($"Permutation importance is for tabular features (N, F); received shape [{string.Join(", ", data.Features.shape)}]. For images use Attribution.IntegratedGradients.", nameof(data));
        if (repeats < 1)
            throw new ArgumentOutOfRangeException(nameof(repeats), repeats, "Permutation importance needs at least 1 repeat; 5 is usual.");
        var features = (int)data.Features.shape[1];
        if (featureNames is not null && featureNames.Count != features)
            throw new ArgumentException($"Expected one name per feature ({features}); received {featureNames.Count} names.", nameof(featureNames));
        // Only managed numbers come out: every tensor made here (reshapes, conversions, predictions) is freed with the scope.
        _ = model.Network;
        using var scope = NewDisposeScope();
        var classification = data.Labels.dtype == ScalarType.Int64;
        var labels = classification ? ModelOutputs.ToLabels(data.Labels) : null;
        double[]? targets = null;
        if (!classification)
        {
            using var t = data.Labels.reshape(-1).to(ScalarType.Float64);
            targets = t.data<double>().ToArray();
        }
        double Score(Tensor inputs)
        {
            using var output = model.Predict(inputs);
            if (classification)
                return ClassificationMetrics.Accuracy(labels!, ClassificationMetrics.ArgMax(ModelOutputs.ToProbabilities(output)));
            using var flat = output.reshape(-1).to(ScalarType.Float64);
            return RegressionMetrics.R2(targets!, flat.data<double>().ToArray());
        }

        var baseline = Score(data.Features);
        var random = new Random(seed);
        var n = (int)data.Count;
        var result = new List<FeatureImportance>();
        using var shuffled = data.Features.clone();
        for (var f = 0; f < features; f++)
        {
            using var original = data.Features.select(1, f);
            var drops = new double[repeats];
            for (var r = 0; r < repeats; r++)
            {
                var order = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
                random.Shuffle(order);
                using var index = tensor(order);
                using var permuted = original.index_select(0, index);
                using (var column = shuffled.select(1, f))
                    column.copy_(permuted);
                drops[r] = baseline - Score(shuffled);
            }
            using (var column = shuffled.select(1, f))
                column.copy_(original); // restore before the next feature
            var mean = drops.Average();
            result.Add(new FeatureImportance(f, featureNames?[f] ?? $"feature {f}", mean, Math.Sqrt(drops.Select(d => (d - mean) * (d - mean)).Average()), drops));
        }
        return result.OrderByDescending(r => r.Mean).ToArray();
    }
}
