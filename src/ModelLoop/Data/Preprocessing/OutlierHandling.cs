namespace ModelLoop.Data.Preprocessing;

/// <summary>How numeric outliers are tamed: clipped to bounds fitted on the training data (never dropped, so serving can apply it).</summary>
public enum OutlierHandling
{
    /// <summary>Leave values as they are. The default.</summary>
    None,
    /// <summary>Clip to [Q1 − k·IQR, Q3 + k·IQR] with k = <see cref="PreprocessingOptions.IqrFactor"/> (Tukey's fences).</summary>
    IqrClip,
    /// <summary>Clip to mean ± z·std with z = <see cref="PreprocessingOptions.ZScoreLimit"/>.</summary>
    ZScoreClip,
}
