using MathNet.Numerics;

namespace ModelLoop.Privacy.Accounting;

/// <summary>
/// The Rényi divergence of the Poisson-subsampled Gaussian mechanism (Mironov, Talwar &amp; Zhang 2019, "Rényi
/// Differential Privacy of the Sampled Gaussian Mechanism"): for sampling rate q and noise multiplier σ,
/// RDP(α) = log(A_α) / (α − 1) with A_α = E_{z∼N(0,σ²)}[(1 − q + q·exp((2z − 1) / 2σ²))^α]. Integer orders use the
/// binomial expansion of A_α; fractional orders the two-sided series with erfc tails of the same paper (Section 3.3).
/// This is the analysis Opacus and TF Privacy use; written here because no .NET library ships it.
/// </summary>
internal static class SubsampledGaussian
{
    /// <summary>The RDP ε(α) of one step.</summary>
    public static double Rdp(double sampleRate, double noiseMultiplier, double order)
    {
        if (sampleRate == 0) return 0;
        if (noiseMultiplier == 0) return double.PositiveInfinity;
        // Without subsampling the mechanism is the plain Gaussian: α / 2σ².
        if (sampleRate == 1) return order / (2 * noiseMultiplier * noiseMultiplier);
        if (double.IsPositiveInfinity(order)) return double.PositiveInfinity;
        var logA = order == Math.Floor(order)
            ? LogAIntegerOrder(sampleRate, noiseMultiplier, (int)order)
            : LogAFractionalOrder(sampleRate, noiseMultiplier, order);
        return logA / (order - 1);
    }

    // A_α = Σ_{i=0..α} C(α, i) q^i (1 − q)^(α − i) exp((i² − i) / 2σ²), summed in log space (terms reach exp(1000s)).
    private static double LogAIntegerOrder(double q, double sigma, int alpha)
    {
        var logA = double.NegativeInfinity;
        var logBinomial = 0.0; // log C(α, 0)
        for (var i = 0; i <= alpha; i++)
        {
            if (i > 0) logBinomial += Math.Log(alpha - i + 1) - Math.Log(i);
            var term = logBinomial + i * Math.Log(q) + (alpha - i) * Math.Log(1 - q) + (i * (double)i - i) / (2 * sigma * sigma);
            logA = LogAdd(logA, term);
        }
        return logA;
    }

    // A_α = A0 + A1, each an alternating series in the generalised binomial coefficients C(α, i); the integral is
    // split at z0 = σ² log(1/q − 1) + 1/2, where the two mixture components cross, and each half is an erfc tail.
    private static double LogAFractionalOrder(double q, double sigma, double alpha)
    {
        var logA0 = double.NegativeInfinity;
        var logA1 = double.NegativeInfinity;
        var z0 = sigma * sigma * Math.Log(1 / q - 1) + 0.5;
        var logAbsBinomial = 0.0; // log |C(α, 0)|
        var binomialSign = 1;
        for (var i = 0; i < 100_000; i++)
        {
            if (i > 0)
            {
                // C(α, i) = C(α, i − 1) · (α − i + 1) / i; the factor turns negative once i > α + 1.
                var factor = (alpha - i + 1) / i;
                logAbsBinomial += Math.Log(Math.Abs(factor));
                if (factor < 0) binomialSign = -binomialSign;
            }
            var j = alpha - i;
            var logT0 = logAbsBinomial + i * Math.Log(q) + j * Math.Log(1 - q);
            var logT1 = logAbsBinomial + j * Math.Log(q) + i * Math.Log(1 - q);
            var logE0 = Math.Log(0.5) + LogErfc((i - z0) / (Math.Sqrt(2) * sigma));
            var logE1 = Math.Log(0.5) + LogErfc((z0 - j) / (Math.Sqrt(2) * sigma));
            var logS0 = logT0 + (i * (double)i - i) / (2 * sigma * sigma) + logE0;
            var logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
            if (binomialSign > 0)
            {
                logA0 = LogAdd(logA0, logS0);
                logA1 = LogAdd(logA1, logS1);
            }
            else
            {
                logA0 = LogSub(logA0, logS0);
                logA1 = LogSub(logA1, logS1);
            }
            // The terms decay super-exponentially once past the peak; e^-30 relative to O(1) sums is below double precision.
            if (Math.Max(logS0, logS1) < -30) break;
        }
        return LogAdd(logA0, logA1);
    }

    /// <summary>log(e^x + e^y) without overflow.</summary>
    internal static double LogAdd(double x, double y)
    {
        var (a, b) = x < y ? (x, y) : (y, x);
        if (double.IsNegativeInfinity(a)) return b;
        return Math.Log(1 + Math.Exp(a - b)) + b;
    }

    /// <summary>log(e^x − e^y) for x ≥ y.</summary>
    private static double LogSub(double x, double y)
    {
        if (x < y)
            throw new ArithmeticException($"The fractional-order RDP series went negative (log {x} − log {y}); this is a bug in the accountant, not in the input.");
        if (double.IsNegativeInfinity(y)) return x;
        if (x == y) return double.NegativeInfinity;
        var d = x - y;
        // For large d, log(e^d − 1) = d to double precision (and Math.Exp would overflow past 709).
        return (d > 700 ? d : Math.Log(Math.Exp(d) - 1)) + y;
    }

    /// <summary>log erfc(x), accurate where erfc underflows (x &gt; ~26).</summary>
    internal static double LogErfc(double x)
    {
        if (x < 20) return Math.Log(SpecialFunctions.Erfc(x));
        // Asymptotic series: erfc(x) = e^{-x²} / (x√π) · (1 − 1/2x² + 3/4x⁴ − 15/8x⁶ + …); the next term is < 1e-9 at x = 20.
        var inv2 = 1 / (x * x);
        var series = 1 - inv2 / 2 + 3 * inv2 * inv2 / 4 - 15 * inv2 * inv2 * inv2 / 8;
        return -x * x - Math.Log(x) - 0.5 * Math.Log(Math.PI) + Math.Log(series);
    }
}
