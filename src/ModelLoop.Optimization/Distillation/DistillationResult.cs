using ModelLoop.Loop;

namespace ModelLoop.Optimization.Distillation;

/// <summary>What a <see cref="DistillationJob"/> produced, beside the teacher measured on the same test rows.</summary>
public sealed record DistillationResult
{
    /// <summary>The student's model package (with lineage to the teacher).</summary>
    public required string PackagePath { get; init; }
    /// <summary>The student's loss and metrics on the test part.</summary>
    public required IReadOnlyDictionary<string, double> Test { get; init; }
    /// <summary>The teacher's loss and metrics on the same test rows.</summary>
    public required IReadOnlyDictionary<string, double> TeacherTest { get; init; }
    public required long Parameters { get; init; }
    public required long TeacherParameters { get; init; }
    /// <summary>The student's run (run folder, history, registered version).</summary>
    public required TrainingResult Training { get; init; }
}
