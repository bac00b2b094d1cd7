using System.Globalization;
using ModelLoop.Artifacts;
using ModelLoop.Monitoring.Statistics;

namespace ModelLoop.Monitoring.Drift;

/// <summary>
/// Decides whether a window of served items still looks like the reference the model was trained on: per input
/// feature, on the embeddings, and on the model's own outputs (predicted classes, confidence, predicted values).
/// Every p-value of the window is Holm-adjusted together, so <see cref="DriftDetectorOptions.Alpha"/> bounds the chance
/// of a false alarm per window.
/// </summary>
public sealed class DriftDetector
{
    private readonly DriftDetectorOptions options;
    private readonly UnivariateCheck univariate;

    /// <summary>Creates a detector; the options are checked here.</summary>
    /// <exception cref="ArgumentException">An option is out of range (see <see cref="DriftDetectorOptions.Validate"/>).</exception>
    public DriftDetector(DriftDetectorOptions? options = null)
    {
        this.options = options ?? new DriftDetectorOptions();
        this.options.Validate();
        univariate = new UnivariateCheck(this.options);
    }

    /// <summary>
    /// Compares <paramref name="window"/> with <paramref name="reference"/>. A window with fewer than
    /// <see cref="DriftDetectorOptions.MinimumItems"/> items gets <see cref="DriftVerdict.NotEnoughData"/> and no checks.
    /// Missing numeric values are left out of their feature's check; a missing category counts as
    /// <see cref="MonitoredItem.Missing"/>. Embedding drift is checked when the reference has embeddings and the window
    /// has some; prediction drift when the reference has the matching part (class frequencies, confidence sample,
    /// predicted values) and the window's items carry it.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The reference has an empty sample (or a feature without its sample or counts), or the window holds a null item, a
    /// NaN or infinite number, a negative class, or an embedding of the wrong width. The message names the feature and
    /// the item's index.
    /// </exception>
    public DriftReport Detect(ReferenceProfile reference, IReadOnlyList<MonitoredItem> window)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(window);
        for (int i = 0; i < window.Count; i++)
            if (window[i] is null)
                throw new ArgumentException($"Window item {i} is null. Expected a MonitoredItem for every served item.", nameof(window));
        if (window.Count < options.MinimumItems)
            return new DriftReport
            {
                WindowItems = window.Count, Verdict = DriftVerdict.NotEnoughData, Alpha = options.Alpha,
                Reasons = [$"Not enough data: {window.Count} items in the window, at least {options.MinimumItems} needed for a verdict."],
            };

        var features = reference.Features.Select(feature => CheckFeature(feature, window)).ToList();
        DriftCheck? predictedClass = CheckPredictedClass(reference, window);
        DriftCheck? confidence = CheckOutput(reference.Confidence, "confidence", DriftSubject.Confidence, window, item => item.Confidence);
        DriftCheck? predictedValue = CheckOutput(reference.PredictedValues, "predicted value", DriftSubject.PredictedValue, window, item => item.PredictedValue);
        int otherTests = features.Concat(new[] { predictedClass, confidence, predictedValue }.OfType<DriftCheck>()).Count(c => c.PValue is not null);
        DriftCheck? embedding = CheckEmbedding(reference, window, testsInWindow: otherTests + 1);

        var report = Correct(new DriftReport
        {
            WindowItems = window.Count, Verdict = DriftVerdict.Checked, Alpha = options.Alpha, Features = features,
            Embedding = embedding, PredictedClass = predictedClass, Confidence = confidence, PredictedValue = predictedValue,
        });
        var checks = report.AllChecks().ToList();
        return report with
        {
            Alarm = checks.Any(c => c.Drifted),
            Score = checks.Select(c => c.Severity(options.ScoreCap)).DefaultIfEmpty(0).Max(),
            Reasons = checks.Where(c => c.Drifted).Select(Reason).ToList(),
        };
    }

    private DriftCheck CheckFeature(FeatureReference feature, IReadOnlyList<MonitoredItem> window)
    {
        if (feature.Kind == FeatureKind.Numeric)
        {
            if (feature.Sample is not { Length: > 0 } sample)
                throw new ArgumentException(
                    $"Reference feature '{feature.Name}' is numeric but has an empty sample. Expected a non-empty Sample. " +
                    "What to do: rebuild the model package's reference profile from data where the feature has values.", "reference");
            if (Array.FindIndex(sample, v => !double.IsFinite(v)) is int bad and >= 0)
                throw new ArgumentException(
                    $"Reference feature '{feature.Name}' has {sample[bad]} at index {bad} of its sample. Expected finite values " +
                    "(missing ones left out). What to do: rebuild the model package's reference profile.", "reference");
            var values = new List<double>(window.Count);
            for (int i = 0; i < window.Count; i++)
                if (window[i].Numeric.TryGetValue(feature.Name, out double? value) && value is double v)
                    values.Add(Finite(v, $"numeric feature '{feature.Name}'", i));
            return univariate.Numeric(feature.Name, DriftSubject.Feature, FeatureKind.Numeric, sample, feature.Quantiles,
                feature.StandardDeviation, values);
        }

        if (feature.Counts is not { Count: > 0 } counts || counts.Values.Sum() <= 0)
            throw new ArgumentException(
                $"Reference feature '{feature.Name}' is categorical but has no counts. Expected Counts with a positive total. " +
                "What to do: rebuild the model package's reference profile.", "reference");
        var windowCounts = new Dictionary<string, double>();
        foreach (var item in window)
        {
            string category = item.Categorical.TryGetValue(feature.Name, out string? c) && c is not null ? c : MonitoredItem.Missing;
            windowCounts[category] = windowCounts.GetValueOrDefault(category) + 1;
        }
        return univariate.Categorical(feature.Name, DriftSubject.Feature, FeatureKind.Categorical,
            counts.ToDictionary(pair => pair.Key, pair => (double)pair.Value), windowCounts, window.Count);
    }

    /// <summary>
    /// The window's predicted-class counts against the reference's frequencies scaled to
    /// <see cref="DriftDetectorOptions.PredictionReferenceCount"/> (by default the confidence sample's size).
    /// </summary>
    private DriftCheck? CheckPredictedClass(ReferenceProfile reference, IReadOnlyList<MonitoredItem> window)
    {
        if (reference.PredictedClassFrequencies is not { } frequencies) return null;
        var windowCounts = new Dictionary<string, double>();
        int items = 0;
        for (int i = 0; i < window.Count; i++)
        {
            if (window[i].PredictedClass is not int predicted) continue;
            if (predicted < 0)
                throw new ArgumentException($"Window item {i} has predicted class {predicted}. Expected a class index ≥ 0.", nameof(window));
            string key = predicted.ToString(CultureInfo.InvariantCulture);
            windowCounts[key] = windowCounts.GetValueOrDefault(key) + 1;
            items++;
        }
        if (items == 0) return null;
        if (frequencies.Length == 0 || frequencies.Any(f => !double.IsFinite(f) || f < 0) || frequencies.Sum() <= 0)
            throw new ArgumentException(
                $"Reference PredictedClassFrequencies must be non-negative with a positive sum; received [{string.Join(", ", frequencies)}].", "reference");
        double scale = options.PredictionReferenceCount ?? (reference.Confidence is { Length: > 0 } c ? c.Length : Math.Max(reference.Rows, 1));
        var referenceCounts = frequencies.Select((f, k) => (k, f))
            .ToDictionary(p => p.k.ToString(CultureInfo.InvariantCulture), p => p.f * scale / frequencies.Sum());
        return univariate.Categorical("predicted class", DriftSubject.PredictedClass, null, referenceCounts, windowCounts, items);
    }

    private DriftCheck? CheckOutput(double[]? referenceSample, string name, DriftSubject subject,
        IReadOnlyList<MonitoredItem> window, Func<MonitoredItem, double?> select)
    {
        if (referenceSample is null) return null;
        var values = new List<double>();
        for (int i = 0; i < window.Count; i++)
            if (select(window[i]) is double v) values.Add(Finite(v, name, i));
        if (values.Count == 0) return null;
        if (referenceSample.Length == 0)
            throw new ArgumentException($"The reference's {name} sample is empty. Expected at least one value, or null when not recorded.", "reference");
        return univariate.Numeric(name, subject, null, referenceSample, null, null, values);
    }

    private DriftCheck? CheckEmbedding(ReferenceProfile reference, IReadOnlyList<MonitoredItem> window, int testsInWindow)
    {
        if (reference.Embeddings is not { } embeddings) return null;
        var rows = new List<float[]>();
        for (int i = 0; i < window.Count; i++)
        {
            if (window[i].Embedding is not { } e) continue;
            if (e.Length != embeddings.Dimensions)
                throw new ArgumentException(
                    $"Window item {i} has an embedding of {e.Length} values, the reference's have {embeddings.Dimensions}. " +
                    "What to do: compare items served by the model version the reference belongs to.", nameof(window));
            rows.Add(e);
        }
        if (rows.Count == 0) return null;
        if (embeddings.Sample is not { Length: >= 2 } sample)
            throw new ArgumentException(
                $"The reference's embedding sample has {embeddings.Sample?.Length ?? 0} rows. Expected at least 2, or Embeddings = null when not recorded.", "reference");
        var check = new DriftCheck { Name = "embedding", Subject = DriftSubject.Embedding, Items = rows.Count };
        if (rows.Count < options.MinimumItems)
            return check with { Note = $"Not enough data: {rows.Count} embeddings, at least {options.MinimumItems} needed." };

        // The smallest permutation p-value, 1 / (P + 1), must survive Holm's factor m for the test to be able to alarm.
        int permutations = Math.Max(options.Permutations, (int)Math.Ceiling(testsInWindow / options.Alpha));
        float[][] referenceRows = Subsample(sample, options.MaxEmbeddingReference, options.Seed);
        var mmd = MaximumMeanDiscrepancy.Test(referenceRows, rows, permutations, options.Seed);
        return check with
        {
            Method = DriftMethod.MaximumMeanDiscrepancy, Statistic = mmd.Statistic, PValue = mmd.PValue, Threshold = options.Alpha,
            Note = $"Unbiased MMD² with an RBF kernel (median-heuristic bandwidth {mmd.Bandwidth:G4}) against {referenceRows.Length} " +
                   $"reference embeddings; p-value from {permutations} permutations" +
                   (permutations > options.Permutations ? $" (raised from {options.Permutations} so that it can pass α after the correction for {testsInWindow} tests)." : "."),
        };
    }

    /// <summary>Holm-adjusts every p-value of the report and marks tests with adjusted p ≤ α as drifted.</summary>
    private DriftReport Correct(DriftReport report)
    {
        var tests = report.AllChecks().Where(c => c.PValue is not null).ToList();
        double[] adjusted = MultipleTesting.Holm(tests.Select(c => c.PValue!.Value).ToArray());
        var byCheck = new Dictionary<DriftCheck, double>(ReferenceEqualityComparer.Instance);
        for (int k = 0; k < tests.Count; k++) byCheck[tests[k]] = adjusted[k];
        DriftCheck? Apply(DriftCheck? c) => c is not null && byCheck.TryGetValue(c, out double a)
            ? c with { AdjustedPValue = a, Drifted = a <= options.Alpha }
            : c;
        return report with
        {
            Features = report.Features.Select(c => Apply(c)!).ToList(),
            Embedding = Apply(report.Embedding), PredictedClass = Apply(report.PredictedClass),
            Confidence = Apply(report.Confidence), PredictedValue = Apply(report.PredictedValue),
        };
    }

    /// <summary>≥ 1 exactly when the check drifted: log10(adjusted p) / log10(α) for a test, distance / threshold otherwise.</summary>
    private static string Reason(DriftCheck check)
    {
        string subject = check.Subject == DriftSubject.Feature ? $"Feature '{check.Name}'" : char.ToUpperInvariant(check.Name[0]) + check.Name[1..];
        string evidence = check.AdjustedPValue is double p
            ? $"{check.Method} statistic {check.Statistic:G4}, adjusted p-value {p:G3} ≤ α = {check.Threshold:G3}"
            : $"{check.Method} distance {check.Statistic:G4} ≥ threshold {check.Threshold:G3}";
        return $"{subject} drifted: {evidence}. {check.Note}";
    }

    private static double Finite(double value, string what, int item) => double.IsFinite(value)
        ? value
        : throw new ArgumentException(
            $"Window item {item} has {value} for {what}. Expected a finite number, or null for a missing value. " +
            "What to do: send missing values as null.", "window");

    /// <summary>At most <paramref name="limit"/> rows, a seeded uniform subsample (partial Fisher–Yates) when there are more.</summary>
    private static float[][] Subsample(float[][] rows, int limit, int seed)
    {
        if (rows.Length <= limit) return rows;
        var random = new Random(seed);
        int[] order = Enumerable.Range(0, rows.Length).ToArray();
        for (int k = 0; k < limit; k++)
        {
            int r = random.Next(k, rows.Length);
            (order[k], order[r]) = (order[r], order[k]);
        }
        return order[..limit].Select(i => rows[i]).ToArray();
    }
}
