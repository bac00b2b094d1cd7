namespace ModelLoop.Optimization.Quantization;

/// <summary>
/// The range an activation tensor took on the calibration data, and the uint8 asymmetric quantization it gets:
/// the range is widened to include 0 (so zero — padding, ReLU's floor — is exact), scale = (max − min) / 255 and
/// zero point = round(−min / scale).
/// </summary>
internal readonly record struct ActivationRange(float Min, float Max)
{
    /// <summary>The uint8 scale and zero point that cover this range.</summary>
    public (float Scale, byte ZeroPoint) ToUInt8()
    {
        var min = Math.Min(Min, 0f);
        var max = Math.Max(Max, 0f);
        if (max - min <= 0f || !float.IsFinite(max - min))
            return (1f, 0);
        var scale = (max - min) / 255f;
        return (scale, (byte)Math.Clamp(MathF.Round(-min / scale, MidpointRounding.ToEven), 0f, 255f));
    }
}
