using ModelLoop.Data;
using ModelLoop.Modeling;
using static TorchSharp.torch;

namespace ModelLoop.Evaluation;

/// <summary>
/// Runs a model over a test set batch by batch and measures it: every classification metric (with per-class
/// scores, confusion matrix, curves and the most confidently wrong examples) or every regression metric.
/// Write the outcome with <see cref="ReportWriter"/>.
/// </summary>
public static class Evaluator
{
    public static EvaluationResult Evaluate(Model model, TensorDataset test, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        options ??= new EvaluationOptions();
        if (test.Count == 0)
            throw new ArgumentException("The test set is empty; evaluation needs at least one sample.", nameof(test));
        var task = options.Task ?? (test.Labels.dtype == ScalarType.Int64 ? EvaluationTask.Classification : EvaluationTask.Regression);
        // The result holds only managed arrays, so every tensor made while evaluating is freed when this scope ends.
        // The network is built first: a model built lazily inside the scope would lose its parameters with it.
        _ = model.Network;
        using var scope = NewDisposeScope();
        var output = model.Predict(test.Features, options.BatchSize);
        var result = task == EvaluationTask.Classification ? Classification(model, output, test, options) : Regression(output, test);
        if (!options.Explain || test.Features.dim() != 2)
            return result;
        // Tabular models: which features the score depends on.
        var importance = PermutationImportance.Compute(model, test, options.FeatureNames, options.ImportanceRepeats);
        return result with { Summary = result.Summary with { FeatureImportance = importance } };
    }

    private static EvaluationResult Classification(Model model, Tensor output, TensorDataset test, EvaluationOptions options)
    {
        var accumulator = new ClassificationAccumulator();
        accumulator.Update(output, test.Labels);
        var probabilities = accumulator.Probabilities();
        var labels = accumulator.Labels.ToArray();
        var classes = accumulator.ClassCount;
        var scores = accumulator.Scores();
        var metrics = new Dictionary<string, double> { ["accuracy"] = accumulator.Accuracy() };
        if (classes > options.TopK)
            metrics[$"top_{options.TopK}_accuracy"] = accumulator.TopKAccuracy(options.TopK);
        foreach (var (average, suffix) in new[] { (ClassAverage.Macro, "macro"), (ClassAverage.Micro, "micro"), (ClassAverage.Weighted, "weighted") })
        {
            var (p, r, f) = scores.Average(average);
            (metrics[$"precision_{suffix}"], metrics[$"recall_{suffix}"], metrics[$"f1_{suffix}"]) = (p, r, f);
        }
        metrics["roc_auc"] = accumulator.RocAuc();
        metrics["pr_auc"] = accumulator.AveragePrecision();
        metrics["log_loss"] = accumulator.LogLoss();
        metrics["ece"] = accumulator.ExpectedCalibrationError(options.CalibrationBins);

        var names = Enumerable.Range(0, classes).Select(c => options.ClassNames is { } n && c < n.Count ? n[c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        // Per-class AUC/AP: for two classes only the positive class has a curve of its own.
        var auc = ClassificationMetrics.PerClass(probabilities, labels, ClassificationMetrics.RocAuc);
        var ap = ClassificationMetrics.PerClass(probabilities, labels, ClassificationMetrics.AveragePrecision);
        double? Defined(double v) => double.IsNaN(v) ? null : v;
        var perClass = Enumerable.Range(0, classes)
            .Select(c => new ClassSummary(c, names[c], scores.Precision[c], scores.Recall[c], scores.F1[c], scores.Support[c], Defined(auc[c]), Defined(ap[c])))
            .ToArray();
        var confusion = accumulator.ConfusionMatrix();
        var matrix = Enumerable.Range(0, classes).Select(t => Enumerable.Range(0, classes).Select(p => confusion[t, p]).ToArray()).ToArray();

        var predicted = accumulator.Predicted();
        var wrong = Enumerable.Range(0, labels.Length)
            .Where(i => predicted[i] != labels[i])
            .Select(i => new WrongExample(i, labels[i], predicted[i], probabilities[i, predicted[i]]))
            .OrderByDescending(w => w.Confidence).ThenBy(w => w.Index)
            .ToArray();
        var sample = test.SampleShape.Dims;
        var isImage = sample.Count == 3 && sample[0] is 1 or 3;
        var gallery = isImage ? wrong.Take(options.WrongExamples).ToArray() : [];
        var images = gallery.Select(w =>
        {
            using var _ = NewDisposeScope();
            return test.Features[w.Index].to(ScalarType.Float32).contiguous().data<float>().ToArray();
        }).ToArray();

        var attributions = options.Explain && isImage ? Explain(model, test, gallery.Take(options.ExplainedExamples).ToArray()) : [];
        FairnessReport? fairness = null;
        if (options.Groups is { } groups)
        {
            if (groups.Count != labels.Length)
                throw new ArgumentException($"Fairness slices need one group per test sample; received {groups.Count} groups for {labels.Length} samples.", nameof(options));
            fairness = FairnessMetrics.Compute(labels, predicted, groups, options.PositiveClass, options.GroupName);
        }
        var summary = new EvaluationSummary
        {
            Task = EvaluationTask.Classification,
            Fairness = fairness,
            Samples = test.Count,
            Metrics = metrics,
            ClassNames = names,
            PerClass = perClass,
            ConfusionMatrix = matrix,
            Warnings = [.. accumulator.Warnings(), .. fairness?.Warnings ?? []],
            MostConfidentlyWrong = gallery.Length > 0 ? gallery : wrong.Take(options.WrongExamples).ToArray(),
        };
        return new EvaluationResult(summary)
        {
            Probabilities = probabilities,
            Labels = labels,
            WrongExampleImages = images,
            Attributions = attributions,
            ImageShape = isImage ? sample.Select(d => (int)d).ToArray() : [],
        };
    }

    /// <summary>Saliency and integrated gradients of the predicted class, reduced over channels to one map per image.</summary>
    private static (float[], float[])[] Explain(Model model, TensorDataset test, WrongExample[] examples)
    {
        if (examples.Length == 0)
            return [];
        using var scope = NewDisposeScope();
        var index = tensor(examples.Select(e => e.Index).ToArray());
        var inputs = test.Features.index_select(0, index);
        var targets = examples.Select(e => (long)e.Predicted).ToArray();
        var saliency = Attribution.Saliency(model, inputs, targets).amax([1]);
        var integrated = Attribution.IntegratedGradients(model, inputs, targets).sum(1).abs();
        return Enumerable.Range(0, examples.Length)
            .Select(i => (saliency[i].contiguous().data<float>().ToArray(), integrated[i].contiguous().data<float>().ToArray()))
            .ToArray();
    }

    private static EvaluationResult Regression(Tensor output, TensorDataset test)
    {
        using var _ = NewDisposeScope();
        var targets = test.Labels.reshape(-1).to(ScalarType.Float64).cpu().data<double>().ToArray();
        var predictions = output.reshape(-1).to(ScalarType.Float64).cpu().data<double>().ToArray();
        if (targets.Length != predictions.Length)
            throw new ArgumentException($"Regression needs one output per target value; the model gave {predictions.Length} values for {targets.Length} targets.");
        var accumulator = new RegressionAccumulator();
        accumulator.Add(targets, predictions);
        var summary = new EvaluationSummary { Task = EvaluationTask.Regression, Samples = test.Count, Metrics = accumulator.Results() };
        return new EvaluationResult(summary) { Targets = targets, Predictions = predictions };
    }
}
