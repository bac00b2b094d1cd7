namespace ModelLoop.Client;

/// <summary>
/// An input item's shape (no batch dimension), kind ("Float" or "TokenIds") and, for tabular models, feature
/// names. <paramref name="RawRecords"/>: the model preprocesses raw rows on the server (a fitted pipeline), so
/// send records of the raw columns in <paramref name="FeatureNames"/> with
/// <see cref="ModelLoopClient.PredictRawRecordsAsync"/> (strings, numbers, null when missing); Shape is then the
/// model's input after preprocessing.
/// </summary>
public sealed record ModelInput(IReadOnlyList<long> Shape, string Kind, IReadOnlyList<string>? FeatureNames, bool RawRecords = false);
