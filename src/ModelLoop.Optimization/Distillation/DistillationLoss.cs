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
    /// Decoupled KD (<see cref="DistillationMethod.Decoupled"/>): <paramref name="hardLoss"/> + w·T²·(α·TCKD + β·NCKD), where
    /// TCKD is the KL between teacher and student of the binary (target, every other class) split of softmax(·/T) and NCKD
    /// the KL of softmax(·/T) over the non-target classes only; w ramps the term in (0…1).
    /// </summary>
    /// <param name="labels">(N) int64 class indices of the batch.</param>
    /// <param name="warmup">The ramp w in [0, 1] for this step.</param>
    public static Tensor ComputeDecoupled(Tensor student, Tensor teacher, Tensor labels, Tensor hardLoss, DistillationOptions options, double warmup)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(hardLoss);
        ArgumentNullException.ThrowIfNull(options);
        var t = options.Temperature;
        using var temperature = t.ToScalar(); // Scalars alive past their calls, as in Compute
        using var large = 1_000.0.ToScalar();
        using var targetWeight = (warmup * options.Alpha * t * t).ToScalar();
        using var otherWeight = (warmup * options.Beta * t * t).ToScalar();
        using var one = 1.ToScalar();
        var s = student.div(temperature);
        var z = teacher.detach().div(temperature).to(s.dtype);
        var target = nn.functional.one_hot(labels, s.shape[1]).to(s.dtype); // (N, classes) 1 at the label
        var hide = target.mul(large);                                       // pushes the label's logit out of a softmax
        // (N, 2) log of softmax's mass on the target and on every other class, from logsumexps (stable where a mass is tiny).
        Tensor Binary(Tensor logits)
        {
            var all = logits.logsumexp(1, keepdim: true);
            return cat([logits.mul(target).sum(1, keepdim: true) - all, (logits - hide).logsumexp(1, keepdim: true) - all], 1);
        }
        var (binaryTeacher, binaryStudent) = (Binary(z), Binary(s));
        var tckd = binaryTeacher.exp().mul(binaryTeacher - binaryStudent).sum(1).mean();
        var (otherTeacher, otherStudent) = (nn.functional.log_softmax(z - hide, 1), nn.functional.log_softmax(s - hide, 1));
        var nckd = otherTeacher.exp().mul(otherTeacher - otherStudent).sum(1).mean();
        return hardLoss.add(tckd.mul(targetWeight), one).add(nckd.mul(otherWeight), one);
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
