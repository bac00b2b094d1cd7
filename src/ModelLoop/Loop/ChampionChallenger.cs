using System.Globalization;
using ModelLoop.Artifacts;
using ModelLoop.Data;
using ModelLoop.Evaluation;
using ModelLoop.Registry;
using static TorchSharp.torch;

namespace ModelLoop.Loop;

/// <summary>
/// The promotion gate of the loop: a champion and a challenger predict the same rows — each through its own
/// preprocessing — a paired test (McNemar for classes, bootstrap intervals for every metric) gives a verdict, and the
/// challenger takes the champion's aliases only when it is measurably better, the reason recorded either way
/// (<see cref="ChallengerPromotion"/>). The demo uses it, and so does every retraining that produces a challenger.
/// </summary>
public static class ChampionChallenger
{
    /// <summary>Compares two packages on the test part of <paramref name="data"/>, each model on its own inputs of the same rows.</summary>
    /// <param name="challengerData">
    /// The challenger's inputs when already loaded (with the pipeline they were made with); null loads them with
    /// <see cref="LoadFor"/>. The champion reuses them when its pipeline is that one, else gets its own.
    /// </param>
    /// <exception cref="ArgumentException">The two models do not solve the same task.</exception>
    public static ComparisonResult Compare(ModelPackage champion, ModelPackage challenger, DataConfig data, ComparisonOptions? options = null, LoadedData? challengerData = null)
    {
        ArgumentNullException.ThrowIfNull(champion);
        ArgumentNullException.ThrowIfNull(challenger);
        ArgumentNullException.ThrowIfNull(data);
        if (champion.Task != challenger.Task)
            throw new ArgumentException($"The champion is a {champion.Task} model and the challenger a {challenger.Task} model; only models of one task can be compared.");
        using var loaded = challengerData is null ? LoadFor(challenger, data) : null;
        var inputs = challengerData ?? loaded!;
        if (champion.Pipeline?.ToJson() == inputs.Pipeline?.ToJson())
            return ModelComparison.Compare(champion.Model, challenger.Model, inputs.Test, options);
        using var championData = LoadFor(champion, data);
        return Compare(champion, championData.Test, challenger, inputs.Test, options);
    }

    /// <summary>
    /// Compares predictions of the same rows (same order, same labels) made from each model's own tensors: class
    /// probabilities for int64 labels, values otherwise.
    /// </summary>
    public static ComparisonResult Compare(ModelPackage champion, TensorDataset championTest, ModelPackage challenger, TensorDataset challengerTest, ComparisonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(championTest);
        ArgumentNullException.ThrowIfNull(challengerTest);
        if (championTest.Count != challengerTest.Count)
            throw new ArgumentException($"The champion's test set has {championTest.Count} rows and the challenger's {challengerTest.Count}; a comparison needs the same rows.");
        using var championOutput = champion.Model.Predict(championTest.Features);
        using var challengerOutput = challenger.Model.Predict(challengerTest.Features);
        if (challengerTest.Labels.dtype == ScalarType.Int64)
            return ModelComparison.CompareClassifiers(ModelOutputs.ToLabels(challengerTest.Labels),
                ModelOutputs.ToProbabilities(championOutput), ModelOutputs.ToProbabilities(challengerOutput), options);
        using var scope = NewDisposeScope();
        double[] Values(Tensor t) => t.reshape(-1).to(ScalarType.Float64).data<double>().ToArray();
        return ModelComparison.CompareRegressors(Values(challengerTest.Labels), Values(championOutput), Values(challengerOutput), options);
    }

    /// <summary>Compares two evaluations of the same test rows (both from <see cref="Evaluator.Evaluate"/>), without predicting again.</summary>
    public static ComparisonResult Compare(EvaluationResult champion, EvaluationResult challenger, ComparisonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(champion);
        ArgumentNullException.ThrowIfNull(challenger);
        if (champion.Probabilities is { } championProbabilities && challenger.Probabilities is { } challengerProbabilities && challenger.Labels is { } labels)
            return ModelComparison.CompareClassifiers(labels, championProbabilities, challengerProbabilities, options);
        if (champion.Predictions is { } championValues && challenger.Predictions is { } challengerValues && challenger.Targets is { } targets)
            return ModelComparison.CompareRegressors(targets, championValues, challengerValues, options);
        throw new ArgumentException("The two evaluations are not of one kind (class probabilities or regression values); evaluate both models on the same test set.");
    }

    /// <summary>
    /// The whole gate for two registered versions: both loaded from the registry, compared on <paramref name="data"/>
    /// (default: the data the challenger was trained on, from its config), then <see cref="ChallengerPromotion.Decide"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No data given and the challenger's package records no config.</exception>
    public static PromotionDecision Run(ModelRegistry registry, string name, int championVersion, int challengerVersion, DataConfig? data = null,
        ComparisonOptions? options = null, IReadOnlyList<string>? aliases = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        using var champion = ModelPackage.From(registry.Load(name, championVersion.ToString(CultureInfo.InvariantCulture)));
        using var challenger = ModelPackage.From(registry.Load(name, challengerVersion.ToString(CultureInfo.InvariantCulture)));
        data ??= challenger.Config is { } json ? TrainingConfig.FromJsonNode(json).Data
            : throw new ArgumentException($"Version {challengerVersion} of '{name}' records no training config, so the data to compare on is unknown; pass it.");
        var comparison = Compare(champion, challenger, data, options);
        return Decide(registry, name, championVersion, challengerVersion, comparison, aliases);
    }

    /// <summary>Applies the gate to a comparison already made; see <see cref="ChallengerPromotion.Decide"/>.</summary>
    public static PromotionDecision Decide(ModelRegistry registry, string name, int championVersion, int challengerVersion, ComparisonResult comparison,
        IReadOnlyList<string>? aliases = null) =>
        ChallengerPromotion.Decide(registry, name, championVersion, challengerVersion, comparison, aliases);

    /// <summary>The data of <paramref name="config"/> prepared for <paramref name="package"/>: its own pipeline, and no normalization it was not trained with.</summary>
    public static LoadedData LoadFor(ModelPackage package, DataConfig config)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(config);
        return DataSource.Load(config with { NormalizeImages = false }, package.Task, package.Pipeline);
    }
}
