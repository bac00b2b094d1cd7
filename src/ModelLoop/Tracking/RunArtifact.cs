namespace ModelLoop.Tracking;

/// <summary>A file a run produced (an artifact folder, a checkpoint, a plot), with its hash when known.</summary>
public sealed record RunArtifact(string Name, string Path, string? Sha256);
