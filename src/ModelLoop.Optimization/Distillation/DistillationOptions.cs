using System.Globalization;

namespace ModelLoop.Optimization.Distillation;

/// <summary>How the student's outputs are matched to the teacher's.</summary>
public enum DistillationMethod
{
    /// <summary>Hinton et al. 2015: (1 − α)·CE + α·T²·KL over all classes.</summary>
    Hinton,
    /// <summary>
    /// Decoupled KD (Zhao et al., CVPR 2022): the KL split into the target class's binary part (TCKD, weight α) and the
    /// distribution over the other classes (NCKD, weight β), added to the full cross-entropy: CE + T²·(α·TCKD + β·NCKD),
    /// ramped in linearly over the first <see cref="DistillationOptions.WarmupFraction"/> of the steps. Classic KD ties
    /// NCKD's weight to the teacher's confidence in the target (1 − p_target), which mutes it exactly where the teacher
    /// is sure; decoupling gives it its own weight.
    /// </summary>
    Decoupled,
}

/// <summary>
/// Knowledge distillation's knobs (Hinton et al. 2015; see <see cref="DistillationMethod"/> for the decoupled loss). The classic loss is
/// (1 − α)·CE(student, labels) + α·T²·KL(softmax(teacher/T) ‖ softmax(student/T)); the T² keeps the soft term's
/// gradients on the scale of the hard term's as T changes.
/// </summary>
public sealed record DistillationOptions
{
    /// <summary>
    /// T, which softens both distributions so the teacher's small probabilities (which wrong classes look alike) carry
    /// signal. Must be positive. Defaults to 4, a common choice for 10-class image tasks (Hinton et al. used 1–20).
    /// </summary>
    public double Temperature { get; init; } = 4;
    /// <summary>
    /// α, the weight of the teacher's soft targets against the labels, in [0, 1]; 0 is plain training on the labels.
    /// Defaults to 0.7: mostly the teacher, whose soft targets carry more information per example, with enough of the
    /// labels to correct what the teacher gets wrong.
    /// </summary>
    public double Alpha { get; init; } = 0.7;
    /// <summary><see cref="DistillationMethod.Hinton"/> (the default) or <see cref="DistillationMethod.Decoupled"/>; with Decoupled, α weighs TCKD (Zhao et al.: 1).</summary>
    public DistillationMethod Method { get; init; } = DistillationMethod.Hinton;
    /// <summary>Decoupled only: β, the weight of the non-target classes' KL (NCKD), ≥ 0. Defaults to 8 (Zhao et al.'s CIFAR setting).</summary>
    public double Beta { get; init; } = 8;
    /// <summary>Decoupled only: share of the run's optimizer steps over which the distillation term ramps in from 0, in [0, 1). Defaults to 0.1.</summary>
    public double WarmupFraction { get; init; } = 0.1;

    /// <summary>Checks the ranges; returns the options.</summary>
    /// <exception cref="ArgumentException">A field is out of range; the message names it.</exception>
    public DistillationOptions Validate()
    {
        if (!(Temperature > 0) || double.IsInfinity(Temperature))
            throw new ArgumentException($"temperature must be a positive number, e.g. 4; received {Temperature.ToString(CultureInfo.InvariantCulture)}.", nameof(Temperature));
        if (!(Alpha is >= 0 and <= 1))
            throw new ArgumentException($"alpha must be in [0, 1] (0: labels only, 1: teacher only), e.g. 0.7; received {Alpha.ToString(CultureInfo.InvariantCulture)}.", nameof(Alpha));
        if (!(Beta >= 0) || double.IsInfinity(Beta))
            throw new ArgumentException($"beta must be a number ≥ 0 (the decoupled method's weight of the non-target classes), e.g. 8; received {Beta.ToString(CultureInfo.InvariantCulture)}.", nameof(Beta));
        if (!(WarmupFraction is >= 0 and < 1))
            throw new ArgumentException($"warmup fraction must be in [0, 1), e.g. 0.1; received {WarmupFraction.ToString(CultureInfo.InvariantCulture)}.", nameof(WarmupFraction));
        if (!Enum.IsDefined(Method))
            throw new ArgumentException($"method must be Hinton or Decoupled; received {Method}.", nameof(Method));
        return this;
    }
}
