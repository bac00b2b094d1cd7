using TorchSharp;
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
        // Every number reaches libtorch as a Scalar alive until after its call (an implicit conversion's temporary can be
        // freed by a collection on another thread while libtorch reads it: see LogitsProcessing in ModelLoop.Language).
        using var temperature = t.ToScalar();
        using var hardWeight = (1 - options.Alpha).ToScalar();
        using var softWeight = (options.Alpha * t * t).ToScalar();
        using var one = 1.ToScalar();
        // (N, classes) log-probabilities at temperature T.
        var logTeacher = nn.functional.log_softmax(teacher.detach().div(temperature), 1);
        var logStudent = nn.functional.log_softmax(student.div(temperature), 1);
        var kl = logTeacher.exp().mul(logTeacher - logStudent).sum(1).mean();
        return hardLoss.mul(hardWeight).add(kl.mul(softWeight), one);
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
        using var t = temperature.ToScalar(); // alive past each call, as in Compute
        // (K, N, classes) log-probabilities at T; log of the mean = logsumexp over members − log K.
        var logProbabilities = stack([.. logits.Select(z => nn.functional.log_softmax(z.detach().div(t), 1))]);
        var logCount = tensor(Math.Log(logits.Count), logProbabilities.dtype, logProbabilities.device);
        var mean = logProbabilities.logsumexp(0) - logCount; // tensor − tensor passes no Scalar
        return mean.mul(t).MoveToOuterDisposeScope();
    }
}
