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
        // T = 1: log of the mean of the members' softmax.
        return Distillation.DistillationLoss.EnsembleLogits([.. _members.Select(m => m.Network.forward(inputs))], 1);
    }

    /// <summary>Accuracy and loss (mean negative log-likelihood of the mean prediction) on a labelled set, in batches.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(Data.TensorDataset data, int batchSize = 1_000)
    {
        ArgumentNullException.ThrowIfNull(data);
        long correct = 0;
        double negativeLogLikelihood = 0;
        for (long start = 0; start < data.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var end = Math.Min(start + batchSize, data.Count);
            var features = data.Features[TensorIndex.Slice(start, end)].to(_members[0].Device);
            var labels = data.Labels[TensorIndex.Slice(start, end)].to(_members[0].Device);
            var logProbabilities = Predict(features).to(ScalarType.Float32);
            correct += logProbabilities.argmax(1).eq(labels).sum().item<long>();
            negativeLogLikelihood += -logProbabilities.gather(1, labels.unsqueeze(1)).sum().item<float>();
        }
        return new Dictionary<string, double> { ["accuracy"] = (double)correct / data.Count, ["loss"] = negativeLogLikelihood / data.Count };
    }

    public void Dispose()
    {
    }
}
