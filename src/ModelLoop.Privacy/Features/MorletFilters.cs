using static TorchSharp.torch;

namespace ModelLoop.Privacy.Features;

/// <summary>
/// The filter bank of <see cref="ScatteringTransform"/>, in the Fourier domain of a (P, Q) grid, with Kymatio's
/// parameters: wavelet ψ_{j,l} is a Morlet with σ = 0.8·2^j, centre frequency ξ = 3π/(4·2^j), orientation
/// θ_l = (⌊L − L/2 − 1⌋ − l)·π/L and slant 4/L; the low-pass φ_J a Gaussian with σ = 0.8·2^(J−1). Each filter is built
/// in space, periodised over 5×5 copies of the grid (so a wide filter wraps like the circular convolution that uses
/// it), and Fourier-transformed; the transform of these even envelopes is real up to rounding, so the real part is kept.
/// </summary>
internal static class MorletFilters
{
    /// <summary>φ_J: (P, Q) float32.</summary>
    public static Tensor LowPass(int p, int q, int scales) =>
        Fourier(Gabor(p, q, 0.8 * Math.Pow(2, scales - 1), 0, 0, 1), p, q);

    /// <summary>ψ_{j,l} for l = 0..L−1: (L, P, Q) float32.</summary>
    public static Tensor Wavelets(int p, int q, int j, int orientations)
    {
        var filters = new Tensor[orientations];
        for (var l = 0; l < orientations; l++)
        {
            var theta = ((int)(orientations - orientations / 2.0 - 1) - l) * Math.PI / orientations;
            filters[l] = Fourier(Morlet(p, q, 0.8 * Math.Pow(2, j), theta, 3.0 / 4.0 * Math.PI / Math.Pow(2, j), 4.0 / orientations), p, q);
        }
        var result = stack(filters);
        foreach (var f in filters)
            f.Dispose();
        return result;
    }

    /// <summary>A Gabor filter minus the multiple of its envelope that makes its mean zero (the Morlet wavelet).</summary>
    private static (double[] Re, double[] Im) Morlet(int p, int q, double sigma, double theta, double xi, double slant)
    {
        var (wr, wi) = Gabor(p, q, sigma, theta, xi, slant);
        var (er, ei) = Gabor(p, q, sigma, theta, 0, slant);
        // K = Σ wave / Σ envelope (complex).
        double sr = wr.Sum(), si = wi.Sum(), tr = er.Sum(), ti = ei.Sum();
        var den = tr * tr + ti * ti;
        double kr = (sr * tr + si * ti) / den, ki = (si * tr - sr * ti) / den;
        for (var i = 0; i < wr.Length; i++)
        {
            wr[i] -= kr * er[i] - ki * ei[i];
            wi[i] -= kr * ei[i] + ki * er[i];
        }
        return (wr, wi);
    }

    /// <summary>
    /// g(x, y) = exp(−[x y]·R·diag(1, slant²)·Rᵀ·[x y]ᵀ / 2σ² + i·ξ·(x cos θ + y sin θ)) / (2πσ²/slant), R the rotation
    /// by θ, x along the rows; summed over the grid shifted by −2..2 periods in each direction. Row-major (P·Q).
    /// </summary>
    private static (double[] Re, double[] Im) Gabor(int p, int q, double sigma, double theta, double xi, double slant)
    {
        double c = Math.Cos(theta), s = Math.Sin(theta);
        // R·D·Rᵀ with D = diag(1, slant²), over 2σ².
        double a = (c * c + slant * slant * s * s) / (2 * sigma * sigma);
        double b = (c * s - slant * slant * s * c) / (2 * sigma * sigma);    // each off-diagonal entry
        double d = (s * s + slant * slant * c * c) / (2 * sigma * sigma);
        var re = new double[p * q];
        var im = new double[p * q];
        var norm = 2 * Math.PI * sigma * sigma / slant;
        for (var ex = -2; ex <= 2; ex++)
            for (var ey = -2; ey <= 2; ey++)
                for (var i = 0; i < p; i++)
                {
                    double x = i + ex * p;
                    for (var k = 0; k < q; k++)
                    {
                        double y = k + ey * q;
                        var magnitude = Math.Exp(-(a * x * x + 2 * b * x * y + d * y * y));
                        var phase = xi * (x * c + y * s);
                        re[i * q + k] += magnitude * Math.Cos(phase);
                        im[i * q + k] += magnitude * Math.Sin(phase);
                    }
                }
        for (var i = 0; i < re.Length; i++)
        {
            re[i] /= norm;
            im[i] /= norm;
        }
        return (re, im);
    }

    private static Tensor Fourier((double[] Re, double[] Im) filter, int p, int q)
    {
        using var re = tensor(filter.Re, [p, q], float64);
        using var im = tensor(filter.Im, [p, q], float64);
        using var z = complex(re, im);
        using var f = fft.fft2(z);
        using var real = f.real;
        return real.to(float32);
    }
}
