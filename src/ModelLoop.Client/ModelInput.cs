namespace ModelLoop.Client;

/// <summary>An input item's shape (no batch dimension), kind ("Float" or "TokenIds") and, for tabular models, feature names.</summary>
public sealed record ModelInput(IReadOnlyList<long> Shape, string Kind, IReadOnlyList<string>? FeatureNames);
