namespace ModelLoop.Federated.Secure;

/// <summary>
/// Real numbers as elements of the ring ℤ/2³² (two's complement uint), so masked updates can be summed exactly and
/// masks cancel exactly (Bonawitz et al. 2017, §4). A value x is stored as round(x · 2^FractionBits); the sum of up
/// to <see cref="MaxClients"/> values in [−<see cref="Range"/>, +<see cref="Range"/>] cannot wrap, so the decoded sum
/// equals the sum of the rounded inputs exactly. Values outside the range are clipped (and counted by the caller).
/// </summary>
public sealed record FixedPoint
{
    /// <param name="fractionBits">Bits after the binary point: resolution 2^−bits. Defaults to 20 (≈1e−6).</param>
    /// <param name="maxClients">How many encoded values may be summed without wrapping. Defaults to 64.</param>
    public FixedPoint(int fractionBits = 20, int maxClients = 64)
    {
        if (fractionBits is < 1 or > 30)
            throw new ArgumentOutOfRangeException(nameof(fractionBits), fractionBits, $"fractionBits must be in 1..30; received {fractionBits}. 20 gives a resolution of about 1e-6 for values up to ±2^11 / maxClients.");
        if (maxClients < 1)
            throw new ArgumentOutOfRangeException(nameof(maxClients), maxClients, $"maxClients must be at least 1; received {maxClients}.");
        FractionBits = fractionBits;
        MaxClients = maxClients;
        Scale = Math.Pow(2, fractionBits);
        // The sum of MaxClients values of magnitude ≤ Range stays within a signed 32-bit integer.
        Range = (Math.Pow(2, 31) - 1) / Scale / maxClients;
    }

    public int FractionBits { get; }
    public int MaxClients { get; }
    /// <summary>2^FractionBits.</summary>
    public double Scale { get; }
    /// <summary>The largest magnitude one value may have.</summary>
    public double Range { get; }
    /// <summary>Half a step: the most one encoded value differs from the real one (inside the range).</summary>
    public double Resolution => 0.5 / Scale;

    /// <summary>Encodes each value, clipping to ±<see cref="Range"/>; returns how many were clipped.</summary>
    public int Encode(ReadOnlySpan<float> values, Span<uint> encoded)
    {
        var clipped = 0;
        for (var i = 0; i < values.Length; i++)
        {
            double v = values[i];
            if (double.IsNaN(v))
                throw new ArgumentException($"Value {i} of the update is NaN; a diverged local model cannot be aggregated. Lower the local learning rate.");
            if (Math.Abs(v) > Range)
            {
                v = Math.Sign(v) * Range;
                clipped++;
            }
            encoded[i] = unchecked((uint)(int)Math.Round(v * Scale));
        }
        return clipped;
    }

    /// <summary>Decodes a sum of encoded values (two's complement).</summary>
    public double Decode(uint value) => unchecked((int)value) / Scale;
}
