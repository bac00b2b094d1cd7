using ModelLoop.Modeling;
using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Distillation;

/// <summary>
/// Knowledge distillation as a trainer loss: the teacher (in evaluation mode, without gradients) predicts each training
/// batch, and the student's loss becomes <see cref="DistillationLoss.Compute"/> of its compiled loss (cross-entropy on
/// the labels; an L1/L2 penalty, if compiled, is weighted with it) and the teacher's soft targets. The logged "loss"
/// stays the plain cross-entropy, so runs with and without a teacher compare. Several teachers make an ensemble teacher:
/// the soft targets are the mean of the teachers' softened predictions (<see cref="DistillationLoss.EnsembleLogits"/>).
/// </summary>
/// <example><code>
/// using var teacher = ModelPackage.Load("runs/big/artifact");
/// student.Fit(train, new FitOptions { Epochs = 3, Plugins = [new DistillationPlugin(teacher.Model, new DistillationOptions())] });
/// </code></example>
public sealed class DistillationPlugin : StepPlugin
{
    private readonly IReadOnlyList<Model> _teachers;
    private readonly DistillationOptions _options;
    private Tensor? _teacherLogits;

    /// <param name="teacher">The trained model whose outputs the student learns; the plugin does not dispose it.</param>
    public DistillationPlugin(Model teacher, DistillationOptions options)
        : this([teacher ?? throw new ArgumentNullException(nameof(teacher))], options)
    {
    }

    /// <param name="teachers">
    /// One or more trained models with the same inputs and classes; the student learns the mean of their softened
    /// predictions (an ensemble teacher). The plugin does not dispose them.
    /// </param>
    /// <exception cref="ArgumentException">No teacher, or teachers that differ in input shape or classes.</exception>
    public DistillationPlugin(IReadOnlyList<Model> teachers, DistillationOptions options)
    {
        ArgumentNullException.ThrowIfNull(teachers);
        ArgumentNullException.ThrowIfNull(options);
        if (teachers.Count == 0)
            throw new ArgumentException("Distillation needs at least one teacher; received an empty list.", nameof(teachers));
        for (var k = 1; k < teachers.Count; k++)
        {
            var (first, other) = (teachers[0], teachers[k] ?? throw new ArgumentNullException(nameof(teachers), $"Teacher {k + 1} of the list is null."));
            if (!first.InputShape.Equals(other.InputShape) || first.InputKind != other.InputKind || !first.OutputShape.Equals(other.OutputShape))
                throw new ArgumentException($"Teacher {k + 1} maps inputs {other.InputShape} ({other.InputKind}) to outputs {other.OutputShape}, but teacher 1 maps {first.InputShape} ({first.InputKind}) to " +
                    $"{first.OutputShape}; an ensemble's members must read the same inputs and predict the same classes.", nameof(teachers));
        }
        _teachers = [.. teachers];
        _options = options.Validate();
    }

    /// <summary>Throws unless the two models read the same input shape and output the same classes.</summary>
    /// <exception cref="ArgumentException">They differ; the message gives both shapes.</exception>
    public static void CheckCompatible(Model teacher, Model student)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(student);
        if (!teacher.InputShape.Equals(student.InputShape) || teacher.InputKind != student.InputKind)
            throw new ArgumentException($"The student takes inputs of shape {student.InputShape} ({student.InputKind}) but the teacher {teacher.InputShape} ({teacher.InputKind}); " +
                "distillation feeds both the same batch. Give the student the teacher's input shape (a zoo model is sized from the data).");
        if (!teacher.OutputShape.Equals(student.OutputShape) || teacher.OutputShape.Rank != 1)
            throw new ArgumentException($"The student outputs {student.OutputShape} but the teacher {teacher.OutputShape}; distillation needs one logit per class in both, the same classes. " +
                $"Make the student's last layer Dense({teacher.OutputShape[-1]}).");
    }

    public override void OnTrainBegin(StepContext context)
    {
        foreach (var teacher in _teachers)
        {
            CheckCompatible(teacher, context.Model);
            if (teacher.Device.type != context.Device.type)
                throw new ArgumentException($"The teacher is on {teacher.Device} and the student on {context.Device}; move the teacher with teacher.To(...) first.");
            teacher.Network.eval();
        }
    }

    public override Tensor Forward(StepContext context, Tensor input, Func<Tensor, Tensor> next)
    {
        // (N, classes) teacher logits, freed with the batch's dispose scope.
        using (no_grad())
            _teacherLogits = _teachers.Count == 1
                ? _teachers[0].Network.forward(input)
                : DistillationLoss.EnsembleLogits([.. _teachers.Select(t => t.Network.forward(input))], _options.Temperature);
        return next(input);
    }

    public override Tensor OnAfterForward(StepContext context, Tensor output, Tensor loss)
    {
        var teacher = _teacherLogits ?? throw new InvalidOperationException("The teacher's logits are missing: DistillationPlugin.Forward did not run for this batch.");
        _teacherLogits = null;
        if (_options.Method == DistillationMethod.Hinton)
            return DistillationLoss.Compute(output, teacher, loss, _options);
        var labels = context.Targets ?? throw new InvalidOperationException("Decoupled distillation needs the batch's labels, but the step context has no targets.");
        var rampSteps = _options.WarmupFraction * context.Epochs * context.StepsPerEpoch;
        var warmup = rampSteps <= 0 ? 1.0 : Math.Min(1.0, (context.Step + 1) / rampSteps);
        return DistillationLoss.ComputeDecoupled(output, teacher, labels, loss, _options, warmup);
    }

    public override void OnTrainEnd(StepContext context) => _teacherLogits = null;
}
