namespace ModelLoop.Demo;

/// <summary>
/// The production model before and after retraining, on the second half of the test images (never trained on, in any form): accuracy
/// on their shifted copies with McNemar's test, and on the clean images.
/// </summary>
public sealed record RecoveryFigures(double ShiftedBefore, double ShiftedAfter, double ShiftedMcNemarP, string ShiftedVerdict,
    double CleanBefore, double CleanAfter, string CleanVerdict)
{
    /// <summary>Points gained on the shifted images.</summary>
    public double ShiftedGain => ShiftedAfter - ShiftedBefore;
    /// <summary>Points lost on the clean images (negative: gained).</summary>
    public double CleanLoss => CleanBefore - CleanAfter;
}
