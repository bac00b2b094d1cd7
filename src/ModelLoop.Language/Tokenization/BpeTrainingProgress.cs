namespace ModelLoop.Language.Tokenization;

/// <summary>Where a <see cref="BpeTrainer"/> run stands.</summary>
/// <param name="Merges">Merges learned so far.</param>
/// <param name="TargetMerges">Merges needed to reach the target vocabulary size.</param>
/// <param name="LastPairCount">How often the pair merged last occurred in the corpus (falls as training goes on).</param>
public sealed record BpeTrainingProgress(int Merges, int TargetMerges, long LastPairCount);
