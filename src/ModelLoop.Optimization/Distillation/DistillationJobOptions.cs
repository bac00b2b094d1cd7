using ModelLoop.Loop;

namespace ModelLoop.Optimization.Distillation;

/// <summary>Where and on what a <see cref="DistillationJob"/> trains the student; the student's own config says how.</summary>
public sealed record DistillationJobOptions
{
    /// <summary>The data to train and test on. Defaults to null: the teacher's config's data, through the teacher's pipeline.</summary>
    public DataConfig? Data { get; init; }
    /// <summary>
    /// Further teachers (run folders, packages or registry references) that make an ensemble with the first: the student
    /// learns the mean of all their softened predictions. Each must predict the first teacher's classes from the same
    /// inputs through the same preprocessing (trained on the same data). Defaults to none.
    /// </summary>
    public IReadOnlyList<string> AdditionalTeachers { get; init; } = [];
    /// <summary>
    /// Run folder, home, registration, device, log of the student's run (a <see cref="TrainingJob"/>); its Plugins run
    /// outside the distillation plugin. Defaults to a run in runs/distill.
    /// </summary>
    public TrainingJobOptions Training { get; init; } = new() { OutputDirectory = Path.Combine("runs", "distill") };
}
