using MathNet.Numerics.Distributions;

namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// The Tree-structured Parzen Estimator (Bergstra et al. 2011) with Optuna's defaults: <see cref="StartupTrials"/>
/// random trials first; then the finished trials are split into the γ(n) = min(⌈0.1·n⌉, 25) best ("below") and the
/// rest, a Parzen estimator l(x) is fitted on the below values and g(x) on the rest (Gaussian kernels truncated to the
/// range, a prior kernel of weight 1 at the middle, Optuna's bandwidth rule without endpoints, the magic clip), and the
/// one of <see cref="Candidates"/> draws from l with the largest l(x)/g(x) is taken. Log parameters are modelled in
/// log space, ints and stepped floats as discrete masses; choices by smoothed weighted counts. Each parameter is
/// sampled on its own (univariate, Optuna's default), over the trials in which it exists, so conditional parameters
/// need nothing more. Pruned trials rank after complete ones (further step first, then value), as in Optuna.
/// </summary>
/// <remarks>Written here: no maintained .NET TPE exists on NuGet (the premise: no Optuna-like library).</remarks>
public sealed class TpeSampler(long? seed = null) : Sampler(seed)
{
    /// <summary>Random trials before TPE starts. Defaults to 10 (Optuna's n_startup_trials).</summary>
    public int StartupTrials { get; init; } = 10;
    /// <summary>Draws from l(x) scored per parameter. Defaults to 24 (Optuna's n_ei_candidates).</summary>
    public int Candidates { get; init; } = 24;
    /// <summary>Weight of the prior kernel. Defaults to 1 (Optuna's prior_weight).</summary>
    public double PriorWeight { get; init; } = 1;

    /// <summary>Optuna's default_gamma: how many of n finished trials count as good.</summary>
    public static int Gamma(int n) => Math.Min((int)Math.Ceiling(0.1 * n), 25);

    /// <summary>Optuna's default_weights: 1 for the newest 25 observations, a ramp from 1/n up to 1 for older ones.</summary>
    internal static double[] Weights(int n)
    {
        if (n < 25)
            return Enumerable.Repeat(1.0, n).ToArray();
        var ramp = n - 25;
        return Enumerable.Range(0, ramp).Select(i => ramp == 1 ? 1.0 / n : 1.0 / n + (1 - 1.0 / n) * i / (ramp - 1))
            .Concat(Enumerable.Repeat(1.0, 25)).ToArray();
    }

    protected override double SampleParameter(SearchParameter parameter, IReadOnlyList<TrialRecord> trials, StudyDirection direction, Random random)
    {
        var finished = trials.Where(t => t.State == TrialState.Complete && t.Value is not null || t.State == TrialState.Pruned && t.LastStep is not null).ToList();
        if (finished.Count < StartupTrials)
            return Uniform(parameter.Distribution, random);
        var (below, above) = Split(finished, direction);
        var d = parameter.Distribution;
        double[] Observations(IEnumerable<TrialRecord> part) => part.OrderBy(t => t.Number)
            .Select(t => t.Params.TryGetValue(parameter.Path, out var v) ? d.ToInternal(v) : null)
            .Where(x => x is not null).Select(x => x!.Value).ToArray();
        var low = Observations(below);
        var high = Observations(above);
        if (d.Kind == ParameterKind.Categorical)
        {
            var l = CategoricalMixture(low, d.Choices.Count);
            var g = CategoricalMixture(high, d.Choices.Count);
            var bestChoice = 0;
            var bestScore = double.NegativeInfinity;
            for (var i = 0; i < Candidates; i++)
            {
                var choice = Draw(l, random);
                var score = Math.Log(l[choice]) - Math.Log(g[choice]);
                if (score > bestScore)
                    (bestChoice, bestScore) = (choice, score);
            }
            return bestChoice;
        }
        var domain = NumericDomain.Of(d);
        var lx = Parzen(low.Select(domain.Forward).ToArray(), domain);
        var gx = Parzen(high.Select(domain.Forward).ToArray(), domain);
        var best = double.NaN;
        var bestRatio = double.NegativeInfinity;
        for (var i = 0; i < Candidates; i++)
        {
            var x = lx.Sample(random);
            var ratio = lx.LogDensity(x) - gx.LogDensity(x);
            if (ratio > bestRatio || double.IsNaN(best))
                (best, bestRatio) = (x, ratio);
        }
        return d.Snap(domain.Backward(best));
    }

    /// <summary>The γ(n) best trials and the rest: complete trials by value, then pruned ones by step reached and last value.</summary>
    internal static (List<TrialRecord> Below, List<TrialRecord> Above) Split(IReadOnlyList<TrialRecord> finished, StudyDirection direction)
    {
        var sign = direction == StudyDirection.Minimize ? 1 : -1;
        var ranked = finished.Where(t => t.State == TrialState.Complete).OrderBy(t => sign * t.Value!.Value).ThenBy(t => t.Number)
            .Concat(finished.Where(t => t.State == TrialState.Pruned).OrderByDescending(t => t.LastStep!.Value)
                .ThenBy(t => sign * t.Intermediate[t.LastStep!.Value]).ThenBy(t => t.Number))
            .ToList();
        var n = Gamma(ranked.Count);
        return (ranked.Take(n).ToList(), ranked.Skip(n).ToList());
    }

    /// <summary>P(choice) of Optuna's categorical estimator: each observation a kernel that puts 1 + prior/kernels on its choice.</summary>
    private double[] CategoricalMixture(double[] observations, int choices)
    {
        var p = new double[choices];
        var kernels = observations.Length + 1;
        var weights = Weights(observations.Length).Append(PriorWeight).ToArray();
        var total = weights.Sum();
        for (var k = 0; k < kernels; k++)
        {
            var row = Enumerable.Repeat(PriorWeight / kernels, choices).ToArray();
            if (k < observations.Length)
                row[(int)observations[k]] += 1;
            var rowSum = row.Sum();
            for (var c = 0; c < choices; c++)
                p[c] += weights[k] / total * row[c] / rowSum;
        }
        return p;
    }

    private static int Draw(double[] p, Random random)
    {
        var u = random.NextDouble();
        for (var i = 0; i < p.Length; i++)
            if ((u -= p[i]) < 0)
                return i;
        return p.Length - 1;
    }

    /// <summary>Optuna's univariate estimator: kernels at the observations with the neighbour bandwidth rule, plus the prior.</summary>
    private ParzenEstimator Parzen(double[] mus, NumericDomain domain)
    {
        var (low, high, step) = (domain.Low, domain.High, domain.Step ?? 0);
        var n = mus.Length;
        var sigmas = new double[n];
        if (n > 0)
        {
            // Sorted centres with the prior's centre; each sigma is the larger gap to a neighbour (the ends are the range's
            // bounds), and without consider_endpoints the first and last take their inner gap instead.
            var prior = 0.5 * (low + high);
            var withPrior = mus.Append(prior).ToArray();
            var order = Enumerable.Range(0, n + 1).OrderBy(i => withPrior[i]).ToArray();
            var points = new double[n + 3];
            points[0] = low - step / 2;
            for (var i = 0; i <= n; i++)
                points[i + 1] = withPrior[order[i]];
            points[^1] = high + step / 2;
            var sorted = new double[n + 1];
            for (var i = 0; i <= n; i++)
                sorted[i] = Math.Max(points[i + 1] - points[i], points[i + 2] - points[i + 1]);
            if (points.Length >= 4)
            {
                sorted[0] = points[2] - points[1];
                sorted[^1] = points[^2] - points[^3];
            }
            var maxSigma = high - low + step;
            var minSigma = (high - low + step) / Math.Min(100.0, 1.0 + n + 1);
            for (var i = 0; i <= n; i++)
                if (order[i] < n)
                    sigmas[order[i]] = Math.Clamp(sorted[i], minSigma, maxSigma);
        }
        var weights = Weights(n).Append(PriorWeight).ToArray();
        var total = weights.Sum();
        return new ParzenEstimator(
            mus.Append(0.5 * (low + high)).ToArray(),
            sigmas.Append(high - low + step).ToArray(),
            weights.Select(w => w / total).ToArray(), low, high, domain.Step);
    }

    /// <summary>A mixture of truncated normals on [low, high], or of their masses on a step grid.</summary>
    private sealed record ParzenEstimator(double[] Mus, double[] Sigmas, double[] Weights, double Low, double High, double? Step)
    {
        private double Lo => Low - (Step ?? 0) / 2;
        private double Hi => High + (Step ?? 0) / 2;

        public double Sample(Random random)
        {
            var k = Draw(Weights, random);
            var (a, b) = (Normal.CDF(Mus[k], Sigmas[k], Lo), Normal.CDF(Mus[k], Sigmas[k], Hi));
            var u = a + random.NextDouble() * (b - a);
            var x = b - a > 1e-12 ? Normal.InvCDF(Mus[k], Sigmas[k], Math.Clamp(u, 1e-300, 1 - 1e-16)) : Mus[k];
            x = Math.Clamp(double.IsFinite(x) ? x : Mus[k], Lo, Hi);
            return Step is { } step ? Math.Clamp(Low + Math.Round((x - Low) / step) * step, Low, High) : x;
        }

        public double LogDensity(double x)
        {
            var terms = new double[Mus.Length];
            for (var k = 0; k < Mus.Length; k++)
            {
                var (mu, sigma) = (Mus[k], Sigmas[k]);
                var z = Math.Max(Normal.CDF(mu, sigma, Hi) - Normal.CDF(mu, sigma, Lo), 1e-300);
                var density = Step is { } step
                    ? Math.Max(Normal.CDF(mu, sigma, x + step / 2) - Normal.CDF(mu, sigma, x - step / 2), 1e-300)
                    : Normal.PDF(mu, sigma, x) + 1e-300;
                terms[k] = Math.Log(Weights[k]) + Math.Log(density) - Math.Log(z);
            }
            var max = terms.Max();
            return max + Math.Log(terms.Sum(t => Math.Exp(t - max)));
        }
    }
}
