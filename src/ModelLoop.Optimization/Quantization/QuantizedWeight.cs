namespace ModelLoop.Optimization.Quantization;

/// <summary>
/// A float weight quantized symmetrically to int8: <c>w ≈ Values × Scales[c]</c> for the channel c of each element
/// along <see cref="Axis"/>, zero point 0, values in [-127, 127] (−128 is left unused so the range is symmetric and
/// a negated weight stays representable). One scale when quantized per tensor.
/// </summary>
/// <param name="Values">Row-major int8 values, same layout as the float weight.</param>
/// <param name="Scales">One scale per channel along <paramref name="Axis"/> (per channel), or a single scale (per tensor).</param>
/// <param name="Dims">The weight's shape.</param>
/// <param name="Axis">The channel axis (the output channels: 0 for Conv's (M, C, kH, kW), the column axis for a (K, N) matrix).</param>
internal sealed record QuantizedWeight(sbyte[] Values, float[] Scales, long[] Dims, int Axis)
{
    /// <summary>The largest magnitude an int8 weight takes.</summary>
    public const int Limit = 127;

    public bool PerChannel => Scales.Length > 1 || Dims.Length > 0 && Dims[Axis] == 1;

    /// <summary>Quantizes <paramref name="weights"/> (shape <paramref name="dims"/>) per channel along <paramref name="axis"/>, or per tensor.</summary>
    public static QuantizedWeight Quantize(float[] weights, long[] dims, int axis, bool perChannel)
    {
        var (_, channels, inner) = Layout(dims, axis);
        var groups = perChannel ? channels : 1;
        var maxAbs = new float[groups];
        for (var i = 0; i < weights.Length; i++)
        {
            var g = perChannel ? (int)(i / inner % channels) : 0;
            maxAbs[g] = Math.Max(maxAbs[g], Math.Abs(weights[i]));
        }
        // scale = max|w| / 127 per channel; an all-zero channel gets scale 1 (its values are 0 either way, and a
        // zero scale is invalid for DequantizeLinear).
        var scales = maxAbs.Select(m => m > 0 ? m / Limit : 1f).ToArray();
        var values = new sbyte[weights.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            var scale = scales[perChannel ? (int)(i / inner % channels) : 0];
            values[i] = (sbyte)Math.Clamp(MathF.Round(weights[i] / scale, MidpointRounding.ToEven), -Limit, Limit);
        }
        return new QuantizedWeight(values, scales, dims, axis);
    }

    /// <summary>The float weight these values stand for: value × its channel's scale.</summary>
    public float[] Dequantize()
    {
        var (_, channels, inner) = Layout(Dims, Axis);
        var result = new float[Values.Length];
        for (var i = 0; i < result.Length; i++)
            result[i] = Values[i] * Scales[Scales.Length == 1 ? 0 : (int)(i / inner % channels)];
        return result;
    }

    /// <summary>(elements before the axis, channels, elements after it) of a row-major tensor.</summary>
    private static (long Outer, long Channels, long Inner) Layout(long[] dims, int axis)
    {
        if (axis < 0 || axis >= dims.Length)
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"The channel axis must be within the weight's {dims.Length} dimensions [{string.Join(", ", dims)}].");
        return (dims[..axis].Aggregate(1L, (a, b) => a * b), dims[axis], dims[(axis + 1)..].Aggregate(1L, (a, b) => a * b));
    }
}
