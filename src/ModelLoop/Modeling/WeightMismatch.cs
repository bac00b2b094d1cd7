namespace ModelLoop.Modeling;

/// <summary>A tensor of the source model that has the target's name but another shape, so it was not loaded.</summary>
public sealed record WeightMismatch(string Name, Shape SourceShape, Shape TargetShape);
