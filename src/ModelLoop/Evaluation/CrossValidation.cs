using ModelLoop.Data.Splits;
using ModelLoop.Data;
using ModelLoop.Modeling;
using static TorchSharp.torch;

namespace ModelLoop.Evaluation;

/// <summary>
/// K-fold and stratified k-fold cross-validation: for each fold a fresh model is built from the spec, compiled,
/// trained on the other folds and evaluated on this one (<see cref="Evaluator"/>); the result reports every
/// fold and mean ± std per metric. Stratification applies to int64 (class) labels; regression folds are plain.
/// Example: <c>CrossValidation.Run(spec, m => m.Compile("adam", "cross_entropy"), data, new() { Folds = 5 })</c>.
/// </summary>
public static class CrossValidation
{
    /// <param name="spec">The architecture; each fold builds its own model from it (fresh random weights).</param>
    /// <param name="compile">Compiles a new model (optimizer, loss, metrics), e.g. <c>m => m.Compile("adam", "cross_entropy")</c>.</param>
    public static CrossValidationResult Run(ModelSpec spec, Action<Model> compile, TensorDataset data, CrossValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(compile);
        return Run(() =>
        {
            var model = Model.FromSpec(spec);
            compile(model);
            return model;
        }, data, options);
    }

    /// <param name="createModel">Returns a new compiled model for each fold; the fold disposes it.</param>
    public static CrossValidationResult Run(Func<Model> createModel, TensorDataset data, CrossValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(createModel);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new CrossValidationOptions();
        if (data.Count > int.MaxValue)
            throw new ArgumentException($"Cross-validation holds fold indices as int; received {data.Count} samples.", nameof(data));
        var classification = data.Labels.dtype == ScalarType.Int64;
        var classes = classification && options.Stratified ? ModelOutputs.ToLabels(data.Labels) : null;
        var warnings = new List<string>();
        if (classes is not null)
            foreach (var group in classes.GroupBy(c => c).Where(g => g.Count() < options.Folds))
                warnings.Add($"Class {group.Key} has only {group.Count()} samples, fewer than the {options.Folds} folds: some test folds have none of it.");
        // The data stage's folds: one implementation of k-fold for `data prepare`, training and evaluation.
        var folds = classes is null ? DataSplits.KFold((int)data.Count, options.Folds, options.Seed) : DataSplits.StratifiedKFold(classes, options.Folds, options.Seed);

        var results = new List<IReadOnlyDictionary<string, double>>();
        foreach (var fold in folds)
        {
            using var train = DataSplits.Subset(data, fold.Train);
            using var test = DataSplits.Subset(data, fold.Validation);
            using var model = createModel();
            model.Fit(train, options.Fit);
            var evaluation = Evaluator.Evaluate(model, test, options.Evaluation);
            results.Add(evaluation.Summary.Metrics);
        }
        var keys = results.SelectMany(r => r.Keys).Distinct();
        var summary = keys.ToDictionary(k => k, k =>
        {
            var values = results.Select(r => r.TryGetValue(k, out var v) ? v : double.NaN).ToArray();
            var mean = values.Average();
            return new MetricStatistics(mean, Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average()));
        });
        return new CrossValidationResult(results, summary, warnings);
    }
}
