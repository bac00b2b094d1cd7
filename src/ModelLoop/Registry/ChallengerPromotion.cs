using System.Globalization;
using ModelLoop.Evaluation;

namespace ModelLoop.Registry;

/// <summary>
/// The promotion gate of the loop: a challenger version takes the champion's aliases only when the comparison on the
/// same test set says <see cref="ComparisonVerdict.Better"/>. Either way the decision is written down: promoted, each
/// alias move carries the reason (verdict and numbers); rejected, the challenger keeps only the "challenger" alias, with
/// the reason in that alias's history and in its tags ("promotion", "promotion.reason"), so `models show` says why.
/// </summary>
public static class ChallengerPromotion
{
    /// <summary>The aliases a better challenger takes: champion and production.</summary>
    public static readonly IReadOnlyList<string> DefaultAliases = ["champion", "production"];

    /// <summary>Applies the gate to versions of <paramref name="name"/> already registered.</summary>
    /// <param name="comparison">Champion (<paramref name="championVersion"/>) vs challenger (<paramref name="challengerVersion"/>) on one test set.</param>
    /// <param name="aliases">The aliases a better challenger takes. Defaults to <see cref="DefaultAliases"/>.</param>
    /// <param name="actor">Who decides, for the history. Defaults to the OS user name.</param>
    /// <exception cref="KeyNotFoundException">The model or a version does not exist.</exception>
    public static PromotionDecision Decide(ModelRegistry registry, string name, int championVersion, int challengerVersion, ComparisonResult comparison,
        IReadOnlyList<string>? aliases = null, string? actor = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(comparison);
        if (championVersion == challengerVersion)
            throw new ArgumentException($"Champion and challenger are both version {championVersion} of '{name}'; a promotion compares two different versions.", nameof(challengerVersion));
        aliases ??= DefaultAliases;
        var promoted = comparison.Verdict == ComparisonVerdict.Better;
        return Apply(registry, name, championVersion, challengerVersion, comparison, aliases, actor, promoted, "a challenger is promoted only when Better");
    }

    /// <summary>
    /// The gate for a cheaper version of the same model (int8, pruned, distilled): it takes the aliases when it is not
    /// worse — McNemar's verdict is not Worse and its accuracy (headline metric) drops by at most
    /// <paramref name="maxAccuracyDrop"/> — because it is preferred for its cost, not for being more accurate.
    /// </summary>
    /// <param name="maxAccuracyDrop">The largest accepted drop of accuracy, as a fraction (0.005 = half a point).</param>
    public static PromotionDecision DecideNotWorse(ModelRegistry registry, string name, int championVersion, int challengerVersion, ComparisonResult comparison,
        double maxAccuracyDrop, IReadOnlyList<string>? aliases = null, string? actor = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(comparison);
        if (!(maxAccuracyDrop >= 0 && maxAccuracyDrop < 1))
            throw new ArgumentOutOfRangeException(nameof(maxAccuracyDrop), maxAccuracyDrop, $"maxAccuracyDrop must be in [0, 1), e.g. 0.005 for half a point; received {maxAccuracyDrop}.");
        if (championVersion == challengerVersion)
            throw new ArgumentException($"Champion and challenger are both version {championVersion} of '{name}'; a promotion compares two different versions.", nameof(challengerVersion));
        var metric = comparison.Metrics.FirstOrDefault(m => m.Metric == "accuracy") ?? comparison.Metrics.FirstOrDefault();
        var drop = metric is null ? 0 : -metric.Difference;
        var promoted = comparison.Verdict != ComparisonVerdict.Worse && drop <= maxAccuracyDrop + 1e-12;
        var rule = string.Create(CultureInfo.InvariantCulture, $"a cheaper variant is promoted when not Worse and its {metric?.Metric ?? "metric"} drops by at most {maxAccuracyDrop:0.####}");
        return Apply(registry, name, championVersion, challengerVersion, comparison, aliases ?? DefaultAliases, actor, promoted, rule);
    }

    private static PromotionDecision Apply(ModelRegistry registry, string name, int championVersion, int challengerVersion, ComparisonResult comparison,
        IReadOnlyList<string> aliases, string? actor, bool promoted, string rule)
    {
        registry.GetVersion(name, championVersion);
        registry.GetVersion(name, challengerVersion);
        var reason = Describe(comparison, championVersion, challengerVersion) + (promoted
            ? $" Promoted v{challengerVersion} to {string.Join(", ", aliases)} ({rule})."
            : $" Rejected: v{championVersion} stays {string.Join(", ", aliases)}; {rule}.");
        var changes = new List<AliasChange>();
        if (promoted)
            changes.AddRange(aliases.Select(alias => registry.SetAlias(name, alias, challengerVersion, reason, actor)));
        else
            changes.Add(registry.SetAlias(name, "challenger", challengerVersion, reason, actor));
        registry.SetTag(name, challengerVersion, "promotion", promoted ? "promoted" : "rejected");
        registry.SetTag(name, challengerVersion, "promotion.reason", reason);
        return new PromotionDecision(promoted, championVersion, challengerVersion, comparison.Verdict, reason, changes);
    }

    /// <summary>One sentence with the numbers: the headline metric of both (accuracy, else the first), the p-value, the verdict.</summary>
    public static string Describe(ComparisonResult comparison, int championVersion, int challengerVersion)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var metric = comparison.Metrics.FirstOrDefault(m => m.Metric == "accuracy") ?? comparison.Metrics.FirstOrDefault();
        var numbers = metric is null ? "" : string.Create(CultureInfo.InvariantCulture,
            $" {metric.Metric} {metric.Challenger:0.####} vs {metric.Champion:0.####} ({metric.Difference:+0.####;-0.####;0}, interval [{metric.Lower:0.####}, {metric.Upper:0.####}]);");
        var test = comparison.McNemar is { } m ? string.Create(CultureInfo.InvariantCulture, $" McNemar {m.PValueText};")
            : comparison.BootstrapPValue is { } p ? string.Create(CultureInfo.InvariantCulture, $" paired bootstrap p = {p:0.####} ({comparison.Options.BootstrapResamples:N0} resamples, seed {comparison.Options.Seed});") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"Challenger v{challengerVersion} vs champion v{championVersion} on the same {comparison.Samples:N0} test samples:{numbers}{test} verdict {comparison.Verdict}.");
    }
}
