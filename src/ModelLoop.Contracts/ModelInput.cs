namespace ModelLoop.Contracts;

/// <summary>
/// What one input item must look like: its shape without the batch dimension (PyTorch order), whether values are
/// reals or token ids, and for tabular models the feature names a JSON record may use. <paramref name="RawRecords"/>:
/// the model preprocesses raw rows on the server (a fitted pipeline), so requests are "records" of the raw columns in
/// <paramref name="FeatureNames"/> with strings, numbers, booleans or null for missing; <paramref name="Shape"/> is then
/// the model's input after preprocessing.
/// </summary>
public sealed record ModelInput(IReadOnlyList<long> Shape, ModelInputKind Kind, IReadOnlyList<string>? FeatureNames, bool RawRecords = false);
