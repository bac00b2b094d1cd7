namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// An objective's error that no other trial would escape (the metric is not logged, or it improves the other way):
/// <see cref="Study.Optimize"/> fails the trial and stops instead of failing every trial the same way.
/// </summary>
internal sealed class StudySetupException(string message) : ArgumentException(message);
