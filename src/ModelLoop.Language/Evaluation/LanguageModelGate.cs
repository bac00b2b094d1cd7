using ModelLoop.Registry;

namespace ModelLoop.Language.Evaluation;

/// <summary>
/// The promotion gate for language models: champion and challenger score the same held-out documents (the challenger's
/// test documents by default), <see cref="LanguageModelComparison"/> gives the verdict (lower perplexity, significant
/// by the paired bootstrap over documents), and <see cref="ChallengerPromotion.Decide"/> — the gate of every model —
/// moves the aliases only on Better, recording the reason in the alias history and the challenger's tags either way.
/// </summary>
public static class LanguageModelGate
{
    /// <param name="champion">A package folder or NAME[:VERSION|ALIAS].</param>
    /// <param name="challenger">A package folder or NAME[:VERSION|ALIAS].</param>
    /// <exception cref="ArgumentException">
    /// Aliases to promote but the two are not versions of one registered model; different tokenizers; no documents.
    /// </exception>
    public static LanguageModelGateOutcome Run(string champion, string challenger, LanguageModelGateOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(champion);
        ArgumentException.ThrowIfNullOrWhiteSpace(challenger);
        options ??= new LanguageModelGateOptions();
        foreach (var alias in options.Promote)
            ModelRegistry.CheckAlias(alias);
        Native.TorchRuntime.EnsureLoaded();
        using var championModel = LanguageModelResolver.Resolve(champion, options.Home);
        using var challengerModel = LanguageModelResolver.Resolve(challenger, options.Home);
        if (options.Promote.Count > 0 && (championModel.RegistryVersion is not { } a || challengerModel.RegistryVersion is not { } b || a.Name != b.Name || a.Version == b.Version))
            throw new ArgumentException($"Promoting ({string.Join(", ", options.Promote)}) moves aliases of one registered model, so champion and challenger must be two versions of it, e.g. fortunes:champion and fortunes:2; " +
                $"received '{champion}' ({championModel.Description}) and '{challenger}' ({challengerModel.Description}). Register both with `lm train --register NAME`, or compare without --promote.");
        var documents = HeldOutText.Documents(challengerModel.Config ?? championModel.Config, options.Split, options.Corpus);
        var championScores = LanguageModelScoring.Score(championModel.Package, documents, options.BatchSize, options.Device);
        var challengerScores = LanguageModelScoring.Score(challengerModel.Package, documents, options.BatchSize, options.Device);
        var comparison = LanguageModelComparison.Compare(championScores, challengerScores, options.Comparison);
        var decision = options.Promote.Count == 0 ? null
            : ChallengerPromotion.Decide(new ModelRegistry(options.Home), challengerModel.RegistryVersion!.Name, championModel.RegistryVersion!.Version,
                challengerModel.RegistryVersion.Version, comparison, options.Promote, options.Actor);
        return new LanguageModelGateOutcome(championModel.Description, challengerModel.Description, championScores, challengerScores, comparison, decision);
    }
}
