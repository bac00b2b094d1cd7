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

    /// <summary>
    /// An ensemble's soft targets as logits: T·log(mean over members of softmax(zₖ/T)), whose softmax at temperature T is
    /// exactly the members' mean softened prediction (the average of probabilities, as Hinton et al. 2015 distil an
    /// ensemble), so <see cref="Compute"/> takes them as one teacher's logits.
    /// </summary>
    /// <param name="logits">Each member's (N, classes) logits.</param>
    /// <param name="temperature">The distillation temperature T the targets are softened at.</param>
    public static Tensor EnsembleLogits(IReadOnlyList<Tensor> logits, double temperature)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Count == 0)
            throw new ArgumentException("An ensemble needs at least one member's logits; received none.", nameof(logits));
        using var scope = NewDisposeScope();
        // (K, N, classes) log-probabilities at T; log of the mean = logsumexp over members − log K.
        var logProbabilities = stack([.. logits.Select(z => nn.functional.log_softmax(z.detach() / temperature, 1))]);
        var mean = logProbabilities.logsumexp(0) - Math.Log(logits.Count);
        return (mean * temperature).MoveToOuterDisposeScope();
    }
}
