namespace ModelLoop.Artifacts;

/// <summary>
/// How a model's training data was cut from its source, so evaluation can rebuild exactly the rows it never saw:
/// the source (a file name), its SHA-256, the label column, the validation and test fractions, the seed, and
/// whether the split was stratified by class. Recorded in an artifact's lineage (<see cref="ArtifactLineage.Split"/>).
/// </summary>
/// <param name="Source">A name for the data, e.g. the CSV file's name.</param>
/// <param name="SourceSha256">SHA-256 (hex) of the source's bytes, to tell whether later data is the same file.</param>
/// <param name="LabelColumn">The label column, or null for unlabelled data.</param>
/// <param name="Validation">Fraction of rows held out for validation (0 when none).</param>
/// <param name="Test">Fraction of rows held out for testing.</param>
/// <param name="Seed">The split seed (<c>ModelLoop.Data.Splits.DataSplits</c>).</param>
/// <param name="Stratified">True when each class was split separately (classification), false for a random split.</param>
public sealed record TrainingDataSplit(string Source, string SourceSha256, string? LabelColumn, double Validation, double Test, int Seed, bool Stratified);
