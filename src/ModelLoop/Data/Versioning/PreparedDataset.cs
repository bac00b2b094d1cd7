using ModelLoop.Data.Anonymization;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;

namespace ModelLoop.Data.Versioning;

/// <summary>
/// What <see cref="DatasetPreparer"/> made: the manifest, the split tables and the fitted pipeline; <see cref="Folder"/> is where it
/// was written (null for a split held in memory by <see cref="DatasetPreparer.Split"/>).
/// </summary>
public sealed record PreparedDataset(DatasetManifest Manifest, string? Folder, RawTable Train, RawTable Validation, RawTable Test,
    PreprocessingPipeline Pipeline, AnonymizationReport? Anonymization);
