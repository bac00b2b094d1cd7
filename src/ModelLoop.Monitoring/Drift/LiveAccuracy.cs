using ModelLoop.Monitoring.Statistics;

namespace ModelLoop.Monitoring.Drift;

/// <summary>
/// Accuracy on served items whose true label came back as feedback, with a Wilson interval, compared with the
/// reference's held-out accuracy: performance drift, when labels are available.
/// </summary>
/// <param name="Correct">Items predicted correctly.</param>
/// <param name="Total">Items with feedback.</param>
/// <param name="Interval">The estimate Correct / Total and its Wilson score interval.</param>
/// <param name="ReferenceAccuracy">The reference's held-out accuracy, when known.</param>
public sealed record LiveAccuracy(long Correct, long Total, ProportionInterval Interval, double? ReferenceAccuracy)
{
    /// <summary>True when the whole interval lies below the reference accuracy: accuracy has dropped.</summary>
    public bool BelowReference => ReferenceAccuracy is double reference && Interval.Upper < reference;

    /// <summary>The live accuracy of <paramref name="correct"/> out of <paramref name="total"/> items.</summary>
    /// <param name="correct">Correct predictions, in [0, total].</param>
    /// <param name="total">Items with feedback, at least 1.</param>
    /// <param name="referenceAccuracy">The accuracy to compare with, e.g. <see cref="ModelLoop.Artifacts.ReferenceProfile.Accuracy"/>. Defaults to null (no comparison).</param>
    /// <param name="confidenceLevel">The interval's level. Defaults to 0.95.</param>
    /// <exception cref="ArgumentOutOfRangeException">total &lt; 1, correct outside [0, total], or a level or accuracy outside its range.</exception>
    public static LiveAccuracy From(long correct, long total, double? referenceAccuracy = null, double confidenceLevel = 0.95)
    {
        if (referenceAccuracy is double a && !(a >= 0 && a <= 1))
            throw new ArgumentOutOfRangeException(nameof(referenceAccuracy), a, "Expected an accuracy in [0, 1] or null.");
        return new LiveAccuracy(correct, total, ProportionInterval.Wilson(correct, total, confidenceLevel), referenceAccuracy);
    }
}
