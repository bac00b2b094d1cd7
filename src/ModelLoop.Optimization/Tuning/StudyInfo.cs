namespace ModelLoop.Optimization.Tuning;

/// <summary>A study as stored: its name, direction, the metric it optimizes and the search space it was created with.</summary>
/// <param name="Id">The storage's row id.</param>
/// <param name="Name">Unique in its storage.</param>
/// <param name="Direction">Which way the objective improves.</param>
/// <param name="Metric">The metric the objective reports (e.g. val_accuracy).</param>
/// <param name="Space">The search space's canonical JSON.</param>
/// <param name="Created">When the study was created (UTC).</param>
public sealed record StudyInfo(long Id, string Name, StudyDirection Direction, string Metric, string Space, DateTimeOffset Created);
