namespace ModelLoop.Optimization.Quantization;

/// <summary>How a static quantization turns the activations seen on the calibration set into a range.</summary>
public enum CalibrationMethod
{
    /// <summary>The smallest and largest value seen. The default.</summary>
    MinMax,
    /// <summary>
    /// The <see cref="QuantizationOptions.Percentile"/>-th and (100 − it)-th percentiles of the values seen, so a few
    /// outliers do not stretch the scale for every other value.
    /// </summary>
    Percentile,
}
