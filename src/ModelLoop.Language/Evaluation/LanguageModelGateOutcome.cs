using ModelLoop.Evaluation;
using ModelLoop.Registry;

namespace ModelLoop.Language.Evaluation;

/// <summary>What <see cref="LanguageModelGate.Run"/> found and did.</summary>
/// <param name="Champion">Where the champion came from.</param>
/// <param name="Challenger">Where the challenger came from.</param>
/// <param name="ChampionScores">The champion's per-document scores.</param>
/// <param name="ChallengerScores">The challenger's, on the same documents.</param>
/// <param name="Comparison">The verdict with both perplexities, the interval and the bootstrap p-value.</param>
/// <param name="Decision">The promotion decision recorded in the registry, or null when nothing was to be promoted.</param>
public sealed record LanguageModelGateOutcome(string Champion, string Challenger, HeldOutScores ChampionScores, HeldOutScores ChallengerScores,
    ComparisonResult Comparison, PromotionDecision? Decision);
