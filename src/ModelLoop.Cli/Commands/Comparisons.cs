using ModelLoop.Data;
using ModelLoop.Evaluation;
using ModelLoop.Modeling;
using static TorchSharp.torch;

namespace ModelLoop.Cli.Commands;

/// <summary>Champion vs challenger when each model needs its own preprocessing of the same test rows.</summary>
internal static class Comparisons
{
    /// <summary>
    /// Predicts each model on its own tensors of the same rows (same order, same labels) and compares the predictions:
    /// class probabilities for int64 labels, values otherwise. <see cref="ModelComparison.Compare"/> needs one tensor set for both.
    /// </summary>
    public static ComparisonResult OnOwnInputs(Model champion, TensorDataset championTest, Model challenger, TensorDataset challengerTest)
    {
        if (championTest.Count != challengerTest.Count)
            throw new ArgumentException($"The champion's test set has {championTest.Count} rows and the challenger's {challengerTest.Count}; a comparison needs the same rows.");
        using var championOutput = champion.Predict(championTest.Features);
        using var challengerOutput = challenger.Predict(challengerTest.Features);
        if (challengerTest.Labels.dtype == ScalarType.Int64)
            return ModelComparison.CompareClassifiers(ModelOutputs.ToLabels(challengerTest.Labels),
                ModelOutputs.ToProbabilities(championOutput), ModelOutputs.ToProbabilities(challengerOutput));
        using var scope = NewDisposeScope();
        double[] Values(Tensor t) => t.reshape(-1).to(ScalarType.Float64).data<double>().ToArray();
        return ModelComparison.CompareRegressors(Values(challengerTest.Labels), Values(championOutput), Values(challengerOutput));
    }
}
