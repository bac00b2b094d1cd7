using ModelLoop.Artifacts;
using ModelLoop.Monitoring.Statistics;

namespace ModelLoop.Monitoring.Drift;

/// <summary>
/// Compares one column of the window (numbers or categories) with its reference: a test below
/// <see cref="DriftDetectorOptions.SmallWindowLimit"/> values, a distance from it on. Leaves the multiple-testing
/// correction, <see cref="DriftCheck.Drifted"/> of tests and the reasons to <see cref="DriftDetector"/>.
/// </summary>
internal sealed class UnivariateCheck(DriftDetectorOptions options)
{
    /// <summary>A numeric column against a reference sample (any order); quantiles and σ are computed from it when null.</summary>
    public DriftCheck Numeric(string name, DriftSubject subject, FeatureKind? kind, IReadOnlyList<double> reference,
        IReadOnlyList<double>? quantiles, double? standardDeviation, IReadOnlyList<double> window)
    {
        var check = new DriftCheck { Name = name, Subject = subject, Kind = kind, Items = window.Count };
        if (window.Count < options.MinimumItems) return NotEnough(check);
        if (window.Count < options.SmallWindowLimit)
        {
            var ks = KolmogorovSmirnov.TwoSample(reference, window);
            return check with
            {
                Method = DriftMethod.KolmogorovSmirnov, Statistic = ks.Statistic, PValue = ks.PValue, Threshold = options.Alpha,
                Note = $"Two-sample Kolmogorov–Smirnov ({(ks.Exact ? "exact" : "asymptotic")} p-value) against {reference.Count} reference values.",
            };
        }
        if (options.LargeWindowNumeric == DriftMethod.PopulationStability)
        {
            double psi = PopulationStability.Numeric(reference, quantiles ?? Deciles(reference), window);
            return Distance(check, DriftMethod.PopulationStability, psi, options.PopulationStabilityThreshold,
                "Population stability index on the reference's decile bins.");
        }
        double sigma = standardDeviation ?? StandardDeviation(reference);
        double wasserstein = DistributionDistance.Wasserstein(reference, window);
        return sigma > 0
            ? Distance(check, DriftMethod.Wasserstein, wasserstein / sigma, options.WassersteinThreshold,
                $"Wasserstein distance {wasserstein:G4} divided by the reference's standard deviation {sigma:G4}.")
            : Distance(check, DriftMethod.Wasserstein, wasserstein, options.WassersteinThreshold,
                "Wasserstein distance, not normalized: the reference's standard deviation is 0 (a constant).");
    }

    /// <summary>A categorical column as category → count on both sides (reference counts may be fractional).</summary>
    public DriftCheck Categorical(string name, DriftSubject subject, FeatureKind? kind,
        IReadOnlyDictionary<string, double> reference, IReadOnlyDictionary<string, double> window, int items)
    {
        var check = new DriftCheck { Name = name, Subject = subject, Kind = kind, Items = items };
        if (items < options.MinimumItems) return NotEnough(check);
        string[] unseen = window.Keys.Where(c => window[c] > 0 && reference.GetValueOrDefault(c) == 0).Order(StringComparer.Ordinal).ToArray();
        string newCategories = unseen.Length == 0 ? "" : $" Not in the reference: {string.Join(", ", unseen.Take(5))}{(unseen.Length > 5 ? ", …" : "")}.";
        if (items < options.SmallWindowLimit)
        {
            var chi = ChiSquaredTest.Homogeneity(reference, window);
            return check with
            {
                Method = DriftMethod.ChiSquared, Statistic = chi.Statistic, PValue = chi.PValue, Threshold = options.Alpha,
                Note = $"Chi-squared test of homogeneity over {chi.Categories.Count} categories ({chi.DegreesOfFreedom} degrees of freedom).{newCategories}",
            };
        }
        if (options.LargeWindowCategorical == DriftMethod.PopulationStability)
            return Distance(check, DriftMethod.PopulationStability, PopulationStability.Categorical(reference, window),
                options.PopulationStabilityThreshold, $"Population stability index over categories.{newCategories}");
        string[] categories = reference.Keys.Union(window.Keys).Order(StringComparer.Ordinal).ToArray();
        double js = DistributionDistance.JensenShannon(
            categories.Select(c => reference.GetValueOrDefault(c)).ToArray(), categories.Select(c => window.GetValueOrDefault(c)).ToArray());
        return Distance(check, DriftMethod.JensenShannon, js, options.JensenShannonThreshold,
            $"Jensen–Shannon distance (natural logarithm) over categories.{newCategories}");
    }

    private DriftCheck NotEnough(DriftCheck check) =>
        check with { Note = $"Not enough data: {check.Items} values, at least {options.MinimumItems} needed." };

    private static DriftCheck Distance(DriftCheck check, DriftMethod method, double distance, double threshold, string note) =>
        check with { Method = method, Statistic = distance, Threshold = threshold, Drifted = distance >= threshold, Note = note };

    /// <summary>[min, q10, …, q90, max] with NumPy's default (linear) interpolation.</summary>
    internal static double[] Deciles(IReadOnlyList<double> sample)
    {
        double[] sorted = [.. sample.Order()];
        return Enumerable.Range(0, 11).Select(k =>
        {
            double position = k / 10.0 * (sorted.Length - 1);
            int below = (int)Math.Floor(position);
            int above = Math.Min(below + 1, sorted.Length - 1);
            return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
        }).ToArray();
    }

    /// <summary>The sample standard deviation (n − 1 in the denominator); 0 for a single value.</summary>
    internal static double StandardDeviation(IReadOnlyList<double> sample) =>
        sample.Count < 2 ? 0 : MathNet.Numerics.Statistics.Statistics.StandardDeviation(sample);
}
