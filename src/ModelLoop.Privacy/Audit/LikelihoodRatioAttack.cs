namespace ModelLoop.Privacy.Audit;

/// <summary>
/// LiRA's per-example scores (Carlini et al. 2022, "Membership Inference Attacks From First Principles"): for example
/// i, the logit-scaled confidences φ of the shadow models that trained on it (IN) and of those that did not (OUT) are
/// fitted with Gaussians — per-example means, and per-example or pooled variances — and the target model's φᵢ is scored
/// by the likelihood ratio (<see cref="LiraVariant"/>). Higher scores mean "more likely a member".
/// </summary>
public static class LikelihoodRatioAttack
{
    /// <summary>
    /// The smallest variance a fit may have: with few shadow models two IN confidences can coincide, and a zero
    /// variance would turn the log-likelihood into ±∞. Far below any spread seen in logit-scaled confidences.
    /// </summary>
    public const double MinimumVariance = 1e-8;

    /// <summary>Scores every example of the audit population.</summary>
    /// <param name="target">φ of the target model, one per example (n).</param>
    /// <param name="shadow">φ of each shadow model on every example: (shadow models K, n).</param>
    /// <param name="trainedOn">Whether shadow k trained on example i: (K, n).</param>
    /// <param name="variant">Online or offline test.</param>
    /// <param name="perExampleVariance">
    /// True: each example's own variance (the Gaussians' maximum-likelihood fit, divisor = count). False: one variance per
    /// side, pooled over examples (the mean squared deviation of every observation from its own example's mean), which
    /// Carlini et al. (§VI) find better with few shadow models.
    /// </param>
    /// <exception cref="ArgumentException">Shapes differ, or an example lacks an IN (online) or OUT observation; the message names it.</exception>
    public static double[] Score(IReadOnlyList<double> target, IReadOnlyList<IReadOnlyList<double>> shadow, IReadOnlyList<IReadOnlyList<bool>> trainedOn,
        LiraVariant variant, bool perExampleVariance)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(shadow);
        ArgumentNullException.ThrowIfNull(trainedOn);
        var n = target.Count;
        var k = shadow.Count;
        if (trainedOn.Count != k || shadow.Any(s => s.Count != n) || trainedOn.Any(t => t.Count != n))
            throw new ArgumentException($"LiRA needs one confidence and one membership flag per shadow model and example: target has {n} examples, " +
                $"shadow {k}×[{string.Join(", ", shadow.Select(s => s.Count).Distinct())}], trainedOn {trainedOn.Count}×[{string.Join(", ", trainedOn.Select(t => t.Count).Distinct())}]. Pass (K, n) arrays.");
        var (meanIn, varIn) = Fit(target.Count, shadow, trainedOn, inside: true, required: variant == LiraVariant.Online);
        var (meanOut, varOut) = Fit(target.Count, shadow, trainedOn, inside: false, required: true);
        if (!perExampleVariance)
        {
            // Pooled: the per-example variances are divisor-count MLEs, so their count-weighted mean is the mean squared
            // deviation of all observations from their own example's mean.
            varIn = Pool(varIn, shadow, trainedOn, inside: true);
            varOut = Pool(varOut, shadow, trainedOn, inside: false);
        }
        var scores = new double[n];
        for (var i = 0; i < n; i++)
        {
            (varIn[i], varOut[i]) = (Math.Max(varIn[i], MinimumVariance), Math.Max(varOut[i], MinimumVariance));
            scores[i] = variant == LiraVariant.Online
                ? LogNormal(target[i], meanIn[i], varIn[i]) - LogNormal(target[i], meanOut[i], varOut[i])
                : (target[i] - meanOut[i]) / Math.Sqrt(varOut[i]);
        }
        return scores;
    }

    /// <summary>log of the normal density N(x; μ, σ²).</summary>
    internal static double LogNormal(double x, double mean, double variance)
    {
        var d = x - mean;
        return -0.5 * (Math.Log(2 * Math.PI * variance) + d * d / variance);
    }

    private static (double[] Mean, double[] Variance) Fit(int n, IReadOnlyList<IReadOnlyList<double>> shadow, IReadOnlyList<IReadOnlyList<bool>> trainedOn, bool inside, bool required)
    {
        var (mean, variance) = (new double[n], new double[n]);
        for (var i = 0; i < n; i++)
        {
            double sum = 0, count = 0;
            for (var k = 0; k < shadow.Count; k++)
                if (trainedOn[k][i] == inside)
                    (sum, count) = (sum + shadow[k][i], count + 1);
            if (count == 0)
            {
                if (required)
                    throw new ArgumentException($"Example {i} has no shadow model {(inside ? "trained on it (IN)" : "trained without it (OUT)")}, so its Gaussian cannot be fitted. " +
                        "Assign each example to half of the shadow models (MembershipAudit does), or use more shadow models.");
                (mean[i], variance[i]) = (double.NaN, double.NaN);
                continue;
            }
            mean[i] = sum / count;
            double squares = 0;
            for (var k = 0; k < shadow.Count; k++)
                if (trainedOn[k][i] == inside)
                    squares += (shadow[k][i] - mean[i]) * (shadow[k][i] - mean[i]);
            variance[i] = squares / count;
        }
        return (mean, variance);
    }

    private static double[] Pool(double[] variance, IReadOnlyList<IReadOnlyList<double>> shadow, IReadOnlyList<IReadOnlyList<bool>> trainedOn, bool inside)
    {
        double weighted = 0, total = 0;
        for (var i = 0; i < variance.Length; i++)
        {
            if (double.IsNaN(variance[i]))
                continue;
            var count = Enumerable.Range(0, shadow.Count).Count(k => trainedOn[k][i] == inside);
            (weighted, total) = (weighted + count * variance[i], total + count);
        }
        var pooled = total == 0 ? double.NaN : weighted / total;
        return Enumerable.Repeat(pooled, variance.Length).ToArray();
    }
}
