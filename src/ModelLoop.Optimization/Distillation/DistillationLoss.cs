using static TorchSharp.torch;

namespace ModelLoop.Optimization.Distillation;

/// <summary>The distillation objective of <see cref="DistillationOptions"/>, on logits.</summary>
public static class DistillationLoss
{
    /// <summary>
    /// (1 − α)·<paramref name="hardLoss"/> + α·T²·KL(softmax(teacher/T) ‖ softmax(student/T)), the KL summed over classes
    /// and averaged over the batch (PyTorch's "batchmean").
    /// </summary>
    /// <param name="student">(N, classes) student logits, with gradient.</param>
    /// <param name="teacher">(N, classes) teacher logits (no gradient needed).</param>
    /// <param name="hardLoss">Scalar loss of the student on the labels, e.g. cross-entropy.</param>
    public static Tensor Compute(Tensor student, Tensor teacher, Tensor hardLoss, DistillationOptions options)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(hardLoss);
        ArgumentNullException.ThrowIfNull(options);
        var t = options.Temperature;
        // (N, classes) log-probabilities at temperature T.
        var logTeacher = nn.functional.log_softmax(teacher.detach() / t, 1);
        var logStudent = nn.functional.log_softmax(student / t, 1);
        var kl = (logTeacher.exp() * (logTeacher - logStudent)).sum(1).mean();
        return hardLoss * (1 - options.Alpha) + kl * (options.Alpha * t * t);
    }
}
