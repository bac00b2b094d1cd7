using System.Globalization;

namespace ModelLoop.Optimization.Distillation;

/// <summary>
/// Knowledge distillation's two knobs (Hinton et al. 2015). The loss is
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

    /// <summary>Checks the ranges; returns the options.</summary>
    /// <exception cref="ArgumentException">A field is out of range; the message names it.</exception>
    public DistillationOptions Validate()
    {
        if (!(Temperature > 0) || double.IsInfinity(Temperature))
            throw new ArgumentException($"temperature must be a positive number, e.g. 4; received {Temperature.ToString(CultureInfo.InvariantCulture)}.", nameof(Temperature));
        if (!(Alpha is >= 0 and <= 1))
            throw new ArgumentException($"alpha must be in [0, 1] (0: labels only, 1: teacher only), e.g. 0.7; received {Alpha.ToString(CultureInfo.InvariantCulture)}.", nameof(Alpha));
        return this;
    }
}
