namespace ModelLoop.Data.Splits;

/// <summary>Row indices of a train/validation/test split (each sorted ascending; together every row exactly once).</summary>
public sealed record SplitIndices(IReadOnlyList<int> Train, IReadOnlyList<int> Validation, IReadOnlyList<int> Test);
