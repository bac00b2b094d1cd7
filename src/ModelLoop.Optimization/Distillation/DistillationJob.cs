using System.Globalization;
using ModelLoop.Loop;
using ModelLoop.Optimization.Pruning;

namespace ModelLoop.Optimization.Distillation;

/// <summary>
/// Trains a student (a <see cref="TrainingConfig"/>: its model, optimizer, epochs, seed) on a teacher package's data,
/// through the teacher's fitted pipeline, with <see cref="DistillationPlugin"/>'s loss; the new package names the teacher
/// as its parent model and records "teacher_parameters". `modelloop optimize MODEL --distill-into spec.yaml` is this job.
/// </summary>
/// <example><code>
/// var student = new TrainingConfig { Model = new ModelConfig { Zoo = "keras-cnn", Width = 8 }, Epochs = 3, Seed = 1 };
/// var result = DistillationJob.Run("fashion:champion", student);
/// </code></example>
public static class DistillationJob
{
    /// <param name="teacher">A run folder, package folder or .zip, or a registry reference NAME[:VERSION|ALIAS].</param>
    /// <param name="student">The student's config; its data section is replaced by the teacher's (or <see cref="DistillationJobOptions.Data"/>).</param>
    /// <exception cref="ArgumentException">
    /// Bad options (named), a student config with initFrom/transferFrom, or a student whose input shape or classes differ
    /// from the teacher's; checked before epoch 1, nothing was written.
    /// </exception>
    public static DistillationResult Run(string teacher, TrainingConfig student, DistillationOptions? options = null, DistillationJobOptions? jobOptions = null)
    {
        ArgumentNullException.ThrowIfNull(student);
        options = (options ?? new DistillationOptions()).Validate();
        jobOptions ??= new DistillationJobOptions();
        student.Validate();
        if (student.InitFrom is not null || student.TransferFrom is not null)
            throw new ArgumentException($"The student config names initFrom/transferFrom ('{student.InitFrom ?? student.TransferFrom}'), but a distilled student starts from fresh weights on the teacher's pipeline; remove it.", nameof(student));
        Native.TorchRuntime.EnsureLoaded();
        var training = jobOptions.Training;
        using var source = ParentPackage.Open(teacher, training.Home, "teacher", jobOptions.Data);
        var config = student with { Data = jobOptions.Data ?? source.Config.Data };
        if (config.Task != source.Package.Task)
            throw new ArgumentException($"The teacher is a {source.Package.Task} model but the student config trains {config.Task}; distillation needs a classifier student for a classifier teacher (loss cross_entropy).", nameof(student));
        using var data = source.LoadData(config.Data);
        using (var shapes = ConfigBuilders.Model(config.Model, data.Train.SampleShape, data.Outputs))
            DistillationPlugin.CheckCompatible(source.Model, shapes);
        var teacherTest = source.Evaluate(data);
        var teacherParameters = source.Model.ParameterCount;
        source.Model.To(training.Device);
        var plugin = new DistillationPlugin(source.Model, options);
        var t = options.Temperature.ToString(CultureInfo.InvariantCulture);
        var alpha = options.Alpha.ToString(CultureInfo.InvariantCulture);
        var result = TrainingJob.Run(config, data, training with
        {
            ParentModel = source.Reference,
            Plugins = [.. training.Plugins, plugin],
            Description = training.Description ?? $"distilled from {source.Reference} ({teacherParameters:N0} parameters) at T={t}, α={alpha}",
            Parameters = new Dictionary<string, string>(training.Parameters)
            {
                ["optimization"] = "distill",
                ["temperature"] = t,
                ["alpha"] = alpha,
                ["parent_model"] = source.Reference,
            },
            PackageMetrics = _ => new Dictionary<string, double> { ["teacher_parameters"] = teacherParameters },
        });
        return new DistillationResult
        {
            PackagePath = result.PackagePath,
            Test = result.Test,
            TeacherTest = teacherTest,
            Parameters = result.Parameters,
            TeacherParameters = teacherParameters,
            Training = result,
        };
    }
}
