namespace ModelLoop.Language.Generation.Scheduling;

/// <summary>A submission found <see cref="GenerationSchedulerOptions.MaxWaiting"/> sequences already waiting; retry later.</summary>
public sealed class SchedulerFullException(string message) : Exception(message);
