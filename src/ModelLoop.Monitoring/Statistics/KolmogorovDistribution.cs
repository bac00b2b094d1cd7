using MathNet.Numerics;

namespace ModelLoop.Monitoring.Statistics;

/// <summary>
/// The null distributions of the Kolmogorov–Smirnov statistics that <see cref="KolmogorovSmirnov"/> needs, written by hand
/// because MathNet.Numerics 5.0 has no Kolmogorov distribution. Each method follows the algorithm SciPy 1.10 uses, so
/// p-values agree with <c>scipy.stats.ks_2samp</c>: the two-sample exact counts of Hodges (1958) with Viehmann's (2021)
/// recursion for 1 − p, and for the asymptotic branch SciPy's <c>kstwo.sf</c>, the finite-n one-sample distribution
/// chosen among Durbin's matrix (Marsaglia–Tsang–Wang), Pomeranz's recursion, Pelz–Good and Smirnov's one-sided sum as
/// Simard and L'Ecuyer (2011) advise.
/// </summary>
internal static class KolmogorovDistribution
{
    private const int Exponent128 = 128;
    private static readonly double Scale128 = Math.ScaleB(1.0, Exponent128);
    private static readonly double InverseScale128 = Math.ScaleB(1.0, -Exponent128);

    /// <summary>
    /// P(D ≥ h / n) for two samples of equal size n: 2 Σ (−1)^(k+1) C(2n, n − kh) / C(2n, n), evaluated Horner-style
    /// to avoid the subtractive cancellation of the alternating sum.
    /// </summary>
    public static double OutsideSquare(long n, long h)
    {
        double p = 0.0;
        for (long k = n / h; k >= 0; k--)
        {
            double term = 1.0;
            for (long j = 0; j < h; j++)
                term = (n - k * h - j) * term / (n + k * h + j + 1);
            p = term * (1.0 - p);
        }
        return 2 * p;
    }

    /// <summary>
    /// P(D ≥ h / lcm(m, n)) for samples of sizes m ≠ n with greatest common divisor g: the share of lattice paths from
    /// (0, 0) to (m, n) that leave the band |x/m − y/n| &lt; h / lcm, counted one column at a time over a sliding window
    /// so that memory is O(n) and the values stay in [0, 1].
    /// </summary>
    public static double OutsideBand(long m, long n, long g, long h)
    {
        if (m < n) (m, n) = (n, m);
        long mg = m / g, ng = n / g;
        long minj = 0, maxj = Math.Min(CeilDiv(h, mg), n + 1);
        long curlen = maxj - minj;
        var a = new double[Math.Min(2 * maxj + 2, n + 1)];
        Array.Fill(a, 1.0);
        Array.Clear(a, 0, (int)maxj);
        for (long i = 1; i <= m; i++)
        {
            long lastminj = minj, lastlen = curlen;
            minj = Math.Min(Math.Max(FloorDiv(ng * i - h, mg) + 1, 0), n);
            maxj = Math.Min(CeilDiv(ng * i + h, mg), n + 1);
            if (maxj <= minj) return 1.0;
            double val = minj == 0 ? 0.0 : 1.0;
            for (long jj = 0; jj < maxj - minj; jj++)
            {
                long j = jj + minj;
                val = (a[jj + minj - lastminj] * i + val * j) / (i + j);
                a[jj] = val;
            }
            curlen = maxj - minj;
            if (lastlen > curlen)
            {
                long end = Math.Min(maxj - minj + (lastlen - curlen), a.Length);
                for (long k = maxj - minj; k < end; k++) a[k] = 1.0;
            }
        }
        return a[maxj - minj - 1];
    }

    /// <summary>
    /// The survival function P(D_n ≥ x) of the two-sided one-sample Kolmogorov statistic for a sample of size n
    /// (SciPy's <c>kstwo.sf(x, n)</c>).
    /// </summary>
    public static double Survival(int n, double x)
    {
        if (x >= 1.0) return 0.0;
        if (x <= 0.0) return 1.0;
        double t = n * x;
        if (t <= 1.0)
        {
            // Ruben–Gambino: for 1/(2n) ≤ x ≤ 1/n the CDF is n!/n^n (2t − 1)^n.
            if (t <= 0.5) return 1.0;
            double cdf;
            if (n <= 140)
            {
                cdf = 1.0;
                for (int i = 1; i <= n; i++) cdf *= i * (1.0 / n) * (2 * t - 1);
            }
            else
            {
                cdf = Math.Exp(LogFactorialOverPower(n) + n * Math.Log(2 * t - 1));
            }
            return Clip(1.0 - cdf);
        }
        if (t >= n - 1) return Clip(2 * Math.Pow(1.0 - x, n));
        if (x >= 0.5) return Clip(2 * Smirnov(n, x));

        double nxSquared = t * x;
        if (n <= 140)
        {
            if (nxSquared <= 0.754693) return Clip(1.0 - DurbinMatrix(n, x));
            if (nxSquared <= 4) return Clip(1.0 - Pomeranz(n, x));
            return Clip(2 * Smirnov(n, x));
        }
        if (nxSquared >= 370.0) return 0.0;
        if (nxSquared >= 2.2) return Clip(2 * Smirnov(n, x));
        double cdfProbability = n <= 100000 && n * Math.Pow(x, 1.5) <= 1.4 ? DurbinMatrix(n, x) : PelzGood(n, x);
        return Clip(1.0 - cdfProbability);
    }

    /// <summary>
    /// Smirnov's one-sided P(D_n⁺ ≥ x) = x Σ_{j=0}^{⌊n(1−x)⌋} C(n, j) (x + j/n)^(j−1) (1 − x − j/n)^(n−j), summed in
    /// log space so that tiny tails keep their relative precision.
    /// </summary>
    public static double Smirnov(int n, double x)
    {
        if (x >= 1.0) return 0.0;
        if (x <= 0.0) return 1.0;
        int last = (int)Math.Floor(n * (1.0 - x));
        double sum = 0.0;
        for (int j = 0; j <= last; j++)
        {
            double upper = 1.0 - x - (double)j / n;
            if (upper <= 0) continue;
            double logTerm = SpecialFunctions.BinomialLn(n, j) + (j - 1) * Math.Log(x + (double)j / n) + (n - j) * Math.Log(upper);
            sum += Math.Exp(logTerm);
        }
        return Math.Min(1.0, x * sum);
    }

    /// <summary>Durbin's matrix algorithm (Marsaglia, Tsang and Wang 2003): P(D_n ≤ d) as an entry of H^n, scaled.</summary>
    private static double DurbinMatrix(int n, double d)
    {
        if (d >= 1.0) return 1.0;
        double nd = n * d;
        if (nd <= 0.5) return 0.0;
        int k = (int)Math.Ceiling(nd);
        double h = k - nd;
        int m = 2 * k - 1;
        var v = new double[m];
        var w = new double[m];
        double fac = 1.0;
        for (int j = 1; j <= m; j++)
        {
            w[j - 1] = fac;
            fac /= j;
            v[j - 1] = (1.0 - Math.Pow(h, j)) * fac;
        }
        double tt = Math.Pow(Math.Max(2 * h - 1.0, 0), m) - 2 * Math.Pow(h, m);
        v[m - 1] = (1.0 + tt) * fac;

        var matrix = new double[m, m];
        for (int i = 1; i < m; i++)
            for (int r = i - 1; r < m; r++)
                matrix[r, i] = w[r - i + 1];
        for (int r = 0; r < m; r++) matrix[r, 0] = v[r];
        for (int c = 0; c < m; c++) matrix[m - 1, c] = v[m - 1 - c];

        var power = Identity(m);
        int remaining = n, exponent = 0, matrixExponent = 0;
        while (remaining > 0)
        {
            if (remaining % 2 == 1)
            {
                power = Multiply(power, matrix);
                exponent += matrixExponent;
            }
            matrix = Multiply(matrix, matrix);
            matrixExponent *= 2;
            if (Math.Abs(matrix[k - 1, k - 1]) > Scale128)
            {
                Scale(matrix, InverseScale128);
                matrixExponent += Exponent128;
            }
            remaining /= 2;
        }
        double p = power[k - 1, k - 1];
        for (int i = 1; i <= n; i++)
        {
            p = i * p / n;
            if (Math.Abs(p) < InverseScale128)
            {
                p *= Scale128;
                exponent -= Exponent128;
            }
        }
        if (exponent != 0) p = Math.ScaleB(p, exponent);
        return Clip(p);
    }

    /// <summary>Pomeranz's (1974) recursion for P(D_n ≤ x): rows convolved with (almost) Poisson weights.</summary>
    private static double Pomeranz(int n, double x)
    {
        double t = n * x;
        int ll = (int)Math.Floor(t);
        double f = t - ll;
        double g = Math.Min(f, 1.0 - f);
        int ceilf = f > 0 ? 1 : 0;
        int roundf = f > 0.5 ? 1 : 0;
        int powers = 2 * (ll + 1);
        var gPower = new double[powers];
        var twoGPower = new double[powers];
        var oneMinusTwoGPower = new double[powers];
        gPower[0] = twoGPower[0] = oneMinusTwoGPower[0] = 1.0;
        for (int m = 1; m < powers; m++)
        {
            gPower[m] = gPower[m - 1] * (g / n) / m;
            twoGPower[m] = twoGPower[m - 1] * (2 * g / n) / m;
            oneMinusTwoGPower[m] = oneMinusTwoGPower[m - 1] * ((1 - 2 * g) / n) / m;
        }

        var v0 = new double[powers];
        var v1 = new double[powers];
        v1[0] = 1;
        int v0Start = 0, v1Start = 0, exponent = 0;
        var (j1, j2) = PomeranzBounds(0, n, ll, ceilf, roundf);
        for (int i = 1; i < 2 * n + 2; i++)
        {
            int k1 = j1;
            (v0, v1) = (v1, v0);
            (v0Start, v1Start) = (v1Start, v0Start);
            Array.Clear(v1);
            (j1, j2) = PomeranzBounds(i, n, ll, ceilf, roundf);
            double[] weights = i == 1 || i == 2 * n + 1 ? gPower : i % 2 == 1 ? twoGPower : oneMinusTwoGPower;
            int length = j2 - k1 + 1;
            if (length <= 0) continue;
            int offset = k1 - v0Start;
            int rowLength = Math.Min(length, v0.Length - offset), weightLength = Math.Min(length, weights.Length);
            int convStart = j1 - k1, convLength = Math.Min(j2 - j1 + 1, rowLength + weightLength - 1 - convStart);
            // Entries convStart … convStart + convLength − 1 of the full convolution of v0[offset..offset+length) and
            // weights[..length), both cut at their ends as NumPy's slices are.
            double max = 0;
            for (int c = 0; c < convLength; c++)
            {
                int index = convStart + c;
                double sum = 0;
                for (int a = Math.Max(0, index - weightLength + 1); a <= Math.Min(index, rowLength - 1); a++)
                    sum += v0[offset + a] * weights[index - a];
                v1[c] = sum;
                max = Math.Max(max, sum);
            }
            if (max > 0 && max < InverseScale128)
            {
                for (int c = 0; c < v1.Length; c++) v1[c] *= Scale128;
                exponent -= Exponent128;
            }
            v1Start = v0Start + j1 - k1;
        }
        double answer = v1[n - v1Start];
        for (int m = 1; m <= n; m++)
        {
            if (Math.Abs(answer) > Scale128)
            {
                answer *= InverseScale128;
                exponent += Exponent128;
            }
            answer *= m;
        }
        if (exponent != 0) answer = Math.ScaleB(answer, exponent);
        return Clip(answer);
    }

    private static (int J1, int J2) PomeranzBounds(int i, int n, int ll, int ceilf, int roundf)
    {
        int j1, j2;
        if (i == 0)
        {
            (j1, j2) = (-ll - ceilf - 1, ll + ceilf - 1);
        }
        else
        {
            int half = (i + 1) / 2, odd = (i + 1) % 2;
            if (odd == 0)
                (j1, j2) = half == n + 1
                    ? (n - ll - ceilf - 1, n + ll + ceilf - 1)
                    : (half - 1 - ll - roundf - 1, half + ll - 1 + ceilf - 1);
            else
                (j1, j2) = (half - 1 - ll - 1, half + ll + roundf - 1);
        }
        return (Math.Max(j1 + 2, 0), Math.Min(j2, n));
    }

    /// <summary>The Pelz–Good (1976) expansion of P(D_n ≤ x) in powers of 1/√n, for small x·√n.</summary>
    private static double PelzGood(int n, double x)
    {
        if (x <= 0.0) return 0.0;
        if (x >= 1.0) return 1.0;
        double z = Math.Sqrt(n) * x;
        double z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
        double pi2 = Math.PI * Math.PI, pi4 = pi2 * pi2, pi6 = pi4 * pi2;
        double qLog = -pi2 / 8 / z2;
        if (qLog < -708) return 0.0;
        double q = Math.Exp(qLog);

        double k1a = -z2, k1b = pi2 / 4;
        double k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * pi2 / 4, k2c = pi4 * (1 - 2 * z2) / 16;
        double k3d = pi6 * (5 - 30 * z2) / 64, k3c = pi4 * (-60 * z2 + 212 * z4) / 16;
        double k3b = pi2 * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * Math.Pow(z, 8);

        var k = new double[4];
        int maxK = (int)Math.Ceiling(16 * z / Math.PI);
        for (int i = maxK; i >= 1; i--)
        {
            double m = 2 * i - 1, m2 = m * m, m4 = m2 * m2, m6 = m4 * m2;
            double qPower = Math.Pow(q, 8 * i);
            k[0] = k[0] * qPower + 1.0;
            k[1] = k[1] * qPower + k1a + k1b * m2;
            k[2] = k[2] * qPower + k2a + k2b * m2 + k2c * m4;
            k[3] = k[3] * qPower + k3a + k3b * m2 + k3c * m4 + k3d * m6;
        }
        double sqrt2Pi = Math.Sqrt(2 * Math.PI);
        double[] divisors = [z, 6 * z4, 72 * Math.Pow(z, 7), 6480 * Math.Pow(z, 10)];
        for (int i = 0; i < 4; i++) k[i] = k[i] * q * sqrt2Pi / divisors[i];

        double q2 = Math.Exp(-pi2 / 2 / z2);
        double sqrt3z = Math.Sqrt(3) * z;
        double k2Extra = 0, k3Extra = 0;
        for (int i = maxK; i >= 1; i--)
        {
            double i2 = (double)i * i, qp = Math.Pow(q2, i2), ipi = Math.PI * i;
            k2Extra += i2 * qp;
            k3Extra += (sqrt3z + ipi) * (sqrt3z - ipi) * i2 * qp;
        }
        k[2] += k2Extra * pi2 * sqrt2Pi / (-36 * z3);
        k[3] += k3Extra * pi2 * sqrt2Pi / (216 * z6);
        double total = 0;
        for (int i = 0; i < 4; i++) total += k[i] / Math.Pow(n, i / 2.0);
        return total;
    }

    /// <summary>log(n! / n^n) by Stirling's series with n·log n removed up front (no subtractive cancellation).</summary>
    private static double LogFactorialOverPower(int n)
    {
        double[] stirling =
        [
            -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
            -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
        ];
        double rn = 1.0 / n, argument = rn / n, poly = 0;
        foreach (double c in stirling) poly = poly * argument + c;
        return Math.Log(n) / 2 - n + Math.Log(2 * Math.PI) / 2 + rn * poly;
    }

    private static double[,] Identity(int m)
    {
        var result = new double[m, m];
        for (int i = 0; i < m; i++) result[i, i] = 1.0;
        return result;
    }

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        int m = a.GetLength(0);
        var result = new double[m, m];
        for (int i = 0; i < m; i++)
            for (int k = 0; k < m; k++)
            {
                double aik = a[i, k];
                if (aik == 0) continue;
                for (int j = 0; j < m; j++) result[i, j] += aik * b[k, j];
            }
        return result;
    }

    private static void Scale(double[,] matrix, double factor)
    {
        int m = matrix.GetLength(0);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) matrix[i, j] *= factor;
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    private static long CeilDiv(long a, long b) => a >= 0 ? (a + b - 1) / b : -(-a / b);

    private static double Clip(double p) => Math.Clamp(p, 0.0, 1.0);
}
