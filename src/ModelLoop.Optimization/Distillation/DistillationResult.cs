using ModelLoop.Loop;

namespace ModelLoop.Optimization.Distillation;

/// <summary>What a <see cref="DistillationJob"/> produced, beside the teacher measured on the same test rows.</summary>
public sealed record DistillationResult
{
    /// <summary>The student's model package (with lineage to the teacher).</summary>
    public required string PackagePath { get; init; }
    /// <summary>The student's loss and metrics on the test part.</summary>
    public required IReadOnlyDictionary<string, double> Test { get; init; }
    /// <summary>The teacher's loss and metrics on the same test rows (an ensemble's: of the members' mean prediction).</summary>
    public required IReadOnlyDictionary<string, double> TeacherTest { get; init; }
    /// <summary>Every teacher's own loss and metrics on the same test rows (one entry for a single teacher).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> MemberTests { get; init; } = [];
    public required long Parameters { get; init; }
    /// <summary>The teacher's parameters; an ensemble's: all members' together.</summary>
    public required long TeacherParameters { get; init; }
    /// <summary>The student's run (run folder, history, registered version).</summary>
    public required TrainingResult Training { get; init; }
}
