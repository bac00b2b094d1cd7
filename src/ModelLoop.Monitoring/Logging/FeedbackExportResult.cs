using ModelLoop.Data.Versioning;

namespace ModelLoop.Monitoring.Logging;

/// <summary>
/// What <see cref="FeedbackExporter.Export"/> wrote: the manifest (its <see cref="DatasetManifest.Hash"/> is the
/// dataset version a retrained model's lineage names), the parts' paths, and the labelled items left out because the
/// log kept no input for them (input storage Hash or None) or they came in another format than the rest.
/// </summary>
/// <param name="Train">train.csv, or the train/ image folder.</param>
/// <param name="Holdout">holdout.csv or holdout/, or null without a holdout.</param>
public sealed record FeedbackExportResult(string Output, string ManifestPath, DatasetManifest Manifest, InputFormat Format,
    string Train, string? Holdout, int TrainItems, int HoldoutItems, int SkippedWithoutInput, int SkippedOtherFormat);
