using ModelLoop.Evaluation;
using ModelLoop.Modeling;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Reports;

/// <summary>
/// An ensemble of classifiers as one variant: the members' mean predicted probability per class, returned as its log
/// (log-probabilities are logits: their argmax and softmax are the mean prediction's). The report measures it like any
/// model, so the ensemble a student was distilled from sits in the same table.
/// </summary>
public sealed class EnsembleVariantPredictor : IVariantPredictor
{
    private readonly IReadOnlyList<Model> _members;

    /// <param name="members">Classifiers with the same inputs and classes; not disposed by the predictor.</param>
    public EnsembleVariantPredictor(IReadOnlyList<Model> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
            throw new ArgumentException("An ensemble needs at least one member; received none.", nameof(members));
        _members = [.. members];
        foreach (var member in _members)
            member.Network.eval();
    }

    public Tensor Predict(Tensor inputs)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope(); // the members' own logits go with it
        // T = 1: log of the mean of the members' softmax.
        return Distillation.DistillationLoss.EnsembleLogits([.. _members.Select(m => m.Network.forward(inputs))], 1).MoveToOuterDisposeScope();
    }

    /// <summary>Accuracy and loss (log-loss of the mean prediction) on a labelled set, predicted in batches.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(Data.TensorDataset data, int batchSize = 1_000)
    {
        ArgumentNullException.ThrowIfNull(data);
        var probabilities = VariantBenchmark.Probabilities(this, data.Features, batchSize);
        var labels = ModelOutputs.ToLabels(data.Labels);
        return new Dictionary<string, double>
        {
            ["accuracy"] = ClassificationMetrics.Accuracy(labels, ClassificationMetrics.ArgMax(probabilities)),
            ["loss"] = ClassificationMetrics.LogLoss(probabilities, labels),
        };
    }

    public void Dispose()
    {
    }
}
