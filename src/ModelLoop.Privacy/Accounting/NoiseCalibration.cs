namespace ModelLoop.Privacy.Accounting;

/// <summary>Finds the noise multiplier σ that meets a target (ε, δ) for a sampling rate and number of steps.</summary>
public static class NoiseCalibration
{
    /// <summary>
    /// The smallest σ (to within <paramref name="epsilonTolerance"/> in ε) whose RDP-accounted ε after
    /// <paramref name="steps"/> steps at sampling rate q is at most <paramref name="targetEpsilon"/>. ε falls
    /// monotonically in σ, so this bisects; the σ returned always satisfies ε ≤ target.
    /// </summary>
    /// <param name="targetEpsilon">The ε to reach, &gt; 0.</param>
    /// <param name="delta">δ, in (0, 1).</param>
    /// <param name="sampleRate">q = expected batch size / dataset size, in (0, 1].</param>
    /// <param name="steps">Optimizer steps over the whole run (≈ epochs / q).</param>
    /// <param name="epsilonTolerance">How far below the target the ε of the returned σ may be. Defaults to 0.01 (as Opacus).</param>
    /// <param name="orders">Rényi orders. Defaults to <see cref="RdpAccountant.DefaultOrders"/>.</param>
    public static double NoiseMultiplier(double targetEpsilon, double delta, double sampleRate, long steps,
        double epsilonTolerance = 0.01, IReadOnlyList<double>? orders = null)
    {
        if (!(targetEpsilon > 0) || double.IsInfinity(targetEpsilon))
            throw new ArgumentOutOfRangeException(nameof(targetEpsilon), targetEpsilon, $"The target epsilon must be a finite number > 0; received {targetEpsilon}. What to do: pass e.g. 1, 3 or 8 (smaller is more private).");
        if (!(sampleRate > 0 && sampleRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, $"sampleRate must be in (0, 1]; received {sampleRate}. What to do: pass expected batch size / dataset size.");
        if (steps < 1)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"steps must be ≥ 1; received {steps}.");
        if (!(epsilonTolerance > 0))
            throw new ArgumentOutOfRangeException(nameof(epsilonTolerance), epsilonTolerance, $"epsilonTolerance must be > 0; received {epsilonTolerance}.");

        double Eps(double sigma) => RdpAccountant.Epsilon(sigma, sampleRate, steps, delta, orders);

        var low = 0.0;
        var high = 10.0;
        while (Eps(high) > targetEpsilon)
        {
            low = high;
            high *= 2;
            if (high > 1e6)
                throw new ArgumentException($"No noise multiplier up to 1e6 reaches ε = {targetEpsilon} at δ = {delta}, q = {sampleRate}, {steps} steps. What to do: raise the target ε or δ, or train fewer steps.", nameof(targetEpsilon));
        }
        while (targetEpsilon - Eps(high) > epsilonTolerance && high - low > 1e-9)
        {
            var mid = (low + high) / 2;
            if (Eps(mid) <= targetEpsilon) high = mid;
            else low = mid;
        }
        return high;
    }

    /// <summary>The number of steps of <paramref name="epochs"/> epochs at sampling rate q: ⌈epochs / q⌉.</summary>
    public static long StepsFor(int epochs, double sampleRate)
    {
        if (epochs < 1)
            throw new ArgumentOutOfRangeException(nameof(epochs), epochs, $"epochs must be ≥ 1; received {epochs}.");
        if (!(sampleRate > 0 && sampleRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, $"sampleRate must be in (0, 1]; received {sampleRate}.");
        return (long)Math.Ceiling(epochs / sampleRate - 1e-9);
    }
}
