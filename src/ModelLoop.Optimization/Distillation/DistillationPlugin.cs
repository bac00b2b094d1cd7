using ModelLoop.Modeling;
using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Distillation;

/// <summary>
/// Knowledge distillation as a trainer loss: the teacher (in evaluation mode, without gradients) predicts each training
/// batch, and the student's loss becomes <see cref="DistillationLoss.Compute"/> of its compiled loss (cross-entropy on
/// the labels; an L1/L2 penalty, if compiled, is weighted with it) and the teacher's soft targets. The logged "loss"
/// stays the plain cross-entropy, so runs with and without a teacher compare.
/// </summary>
/// <example><code>
/// using var teacher = ModelPackage.Load("runs/big/artifact");
/// student.Fit(train, new FitOptions { Epochs = 3, Plugins = [new DistillationPlugin(teacher.Model, new DistillationOptions())] });
/// </code></example>
public sealed class DistillationPlugin : StepPlugin
{
    private readonly Model _teacher;
    private readonly DistillationOptions _options;
    private Tensor? _teacherLogits;

    /// <param name="teacher">The trained model whose outputs the student learns; the plugin does not dispose it.</param>
    public DistillationPlugin(Model teacher, DistillationOptions options)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(options);
        _teacher = teacher;
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
        CheckCompatible(_teacher, context.Model);
        if (_teacher.Device.type != context.Device.type)
            throw new ArgumentException($"The teacher is on {_teacher.Device} and the student on {context.Device}; move the teacher with teacher.To(...) first.");
        _teacher.Network.eval();
    }

    public override Tensor Forward(StepContext context, Tensor input, Func<Tensor, Tensor> next)
    {
        // (N, classes) teacher logits, freed with the batch's dispose scope.
        using (no_grad())
            _teacherLogits = _teacher.Network.forward(input);
        return next(input);
    }

    public override Tensor OnAfterForward(StepContext context, Tensor output, Tensor loss)
    {
        var teacher = _teacherLogits ?? throw new InvalidOperationException("The teacher's logits are missing: DistillationPlugin.Forward did not run for this batch.");
        _teacherLogits = null;
        return DistillationLoss.Compute(output, teacher, loss, _options);
    }

    public override void OnTrainEnd(StepContext context) => _teacherLogits = null;
}
