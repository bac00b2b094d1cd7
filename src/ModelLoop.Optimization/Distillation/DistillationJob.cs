using System.Globalization;
using ModelLoop.Loop;
using ModelLoop.Modeling;
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
        var members = new List<ParentPackage>();
        try
        {
            foreach (var reference in jobOptions.AdditionalTeachers)
                members.Add(ParentPackage.Open(reference, training.Home, "teacher", jobOptions.Data));
            return Run(source, members, student, options, jobOptions);
        }
        finally
        {
            foreach (var member in members)
                member.Dispose();
        }
    }

    private static DistillationResult Run(ParentPackage source, IReadOnlyList<ParentPackage> additional, TrainingConfig student, DistillationOptions options, DistillationJobOptions jobOptions)
    {
        var training = jobOptions.Training;
        var config = student with { Data = jobOptions.Data ?? source.Config.Data };
        if (config.Task != source.Package.Task)
            throw new ArgumentException($"The teacher is a {source.Package.Task} model but the student config trains {config.Task}; distillation needs a classifier student for a classifier teacher (loss cross_entropy).", nameof(student));
        var pipeline = source.Package.Pipeline?.ToJson();
        foreach (var member in additional)
        {
            if (member.Package.Task != source.Package.Task)
                throw new ArgumentException($"The teacher '{member.Given}' is a {member.Package.Task} model but '{source.Given}' a {source.Package.Task} model; an ensemble's members must all be classifiers of the same classes.");
            if (member.Package.Pipeline?.ToJson() != pipeline)
                throw new ArgumentException($"The teacher '{member.Given}' preprocesses its inputs differently from '{source.Given}' (its pipeline was fitted on other data or settings), " +
                    "but every member of an ensemble reads the same batch. Train the members with the same data section (source, validation, split seed, limit, normalization).");
        }
        using var data = source.LoadData(config.Data);
        using (var shapes = ConfigBuilders.Model(config.Model, data.Train.SampleShape, data.Outputs))
            DistillationPlugin.CheckCompatible(source.Model, shapes);
        Model[] teachers = [source.Model, .. additional.Select(m => m.Model)];
        var plugin = new DistillationPlugin(teachers, options); // checks the members against each other before epoch 1
        IReadOnlyList<IReadOnlyDictionary<string, double>> memberTests = [source.Evaluate(data), .. additional.Select(m => m.Evaluate(data))];
        var teacherParameters = teachers.Sum(t => t.ParameterCount);
        IReadOnlyDictionary<string, double> teacherTest;
        if (teachers.Length == 1)
            teacherTest = memberTests[0];
        else
        {
            using var ensemble = new Reports.EnsembleVariantPredictor(teachers);
            teacherTest = ensemble.Evaluate(data.Test);
            training.Log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"Ensemble of {teachers.Length} teachers ({teacherParameters:N0} parameters): {teacherTest["accuracy"]:P2} test accuracy; members {string.Join(", ", memberTests.Select(m => m["accuracy"].ToString("P2", CultureInfo.InvariantCulture)))}."));
        }
        foreach (var model in teachers)
            model.To(training.Device);
        var t = options.Temperature.ToString(CultureInfo.InvariantCulture);
        var alpha = options.Alpha.ToString(CultureInfo.InvariantCulture);
        var method = options.Method == DistillationMethod.Decoupled ? string.Create(CultureInfo.InvariantCulture, $" (decoupled, β={options.Beta})") : "";
        var teacherNames = string.Join(" + ", [source.Reference, .. additional.Select(m => m.Reference)]);
        var result = TrainingJob.Run(config, data, training with
        {
            ParentModel = source.Reference,
            Plugins = [.. training.Plugins, plugin],
            Description = training.Description ?? (teachers.Length == 1
                ? $"distilled from {source.Reference} ({teacherParameters:N0} parameters) at T={t}, α={alpha}{method}"
                : $"distilled from an ensemble of {teachers.Length} ({teacherNames}; {teacherParameters:N0} parameters) at T={t}, α={alpha}{method}"),
            Parameters = new Dictionary<string, string>(training.Parameters)
            {
                ["optimization"] = "distill",
                ["temperature"] = t,
                ["alpha"] = alpha,
                ["distillation_method"] = options.Method.ToString().ToLowerInvariant(),
                ["parent_model"] = source.Reference,
                ["teachers"] = teacherNames,
            },
            PackageMetrics = _ => new Dictionary<string, double> { ["teacher_parameters"] = teacherParameters, ["teacher_accuracy"] = teacherTest.GetValueOrDefault("accuracy", double.NaN) },
        });
        return new DistillationResult
        {
            PackagePath = result.PackagePath,
            Test = result.Test,
            TeacherTest = teacherTest,
            MemberTests = memberTests,
            Parameters = result.Parameters,
            TeacherParameters = teacherParameters,
            Training = result,
        };
    }
}
