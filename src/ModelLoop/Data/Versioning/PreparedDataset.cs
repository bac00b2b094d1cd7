using ModelLoop.Data.Anonymization;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;

namespace ModelLoop.Data.Versioning;

/// <summary>What <see cref="DatasetPreparer.Prepare(string, string, PrepareOptions?)"/> made: the manifest, the split tables and the fitted pipeline.</summary>
public sealed record PreparedDataset(DatasetManifest Manifest, string Folder, RawTable Train, RawTable Validation, RawTable Test,
    PreprocessingPipeline Pipeline, AnonymizationReport? Anonymization);
