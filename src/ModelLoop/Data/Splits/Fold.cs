namespace ModelLoop.Data.Splits;

/// <summary>One fold of k-fold cross-validation: <paramref name="Index"/> 0…k−1, and the row indices (sorted) to train and validate on.</summary>
public sealed record Fold(int Index, IReadOnlyList<int> Train, IReadOnlyList<int> Validation);
