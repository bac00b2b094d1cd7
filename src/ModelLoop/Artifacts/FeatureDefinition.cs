namespace ModelLoop.Artifacts;

/// <summary>A monitored feature: its name (a raw column, "brightness", "x3"…) and how it is compared.</summary>
public sealed record FeatureDefinition(string Name, FeatureKind Kind);
