namespace ModelLoop.Evaluation;

/// <summary>
/// Permutation importance of one feature: how much the score drops when the feature's column is shuffled
/// (baseline − permuted, one value per repeat in <see cref="Drops"/>), with mean and population std.
/// </summary>
public sealed record FeatureImportance(int Feature, string Name, double Mean, double Std, double[] Drops);
