using ModelLoop.Evaluation;
using ModelLoop.Artifacts;

namespace ModelLoop.Registry;

/// <summary>
/// What <see cref="ChallengerPromotion.Decide"/> did: whether the challenger was promoted, the versions compared, the
/// verdict, the reason recorded in the alias history (and in the challenger's tags), and the alias moves made.
/// </summary>
public sealed record PromotionDecision(bool Promoted, int ChampionVersion, int ChallengerVersion, ComparisonVerdict Verdict, string Reason, IReadOnlyList<AliasChange> Changes);
