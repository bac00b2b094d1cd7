namespace ModelLoop.Evaluation;

/// <summary>
/// McNemar's test for two classifiers on the same samples. Only discordant pairs matter:
/// <see cref="ChampionOnlyCorrect"/> (b) and <see cref="ChallengerOnlyCorrect"/> (c). Null hypothesis: both
/// models err equally often (b and c are equally likely). <see cref="Statistic"/> is b for the exact test, χ² otherwise.
/// </summary>
public sealed record McNemarTest(long ChampionOnlyCorrect, long ChallengerOnlyCorrect, McNemarMethod Method, double Statistic, double PValue)
{
    /// <summary>
    /// Below this many discordant pairs the exact binomial test is used, from it on the corrected χ² (the usual
    /// rule: the χ² approximation needs b + c ≥ 25). Defaults to 25.
    /// </summary>
    public const int DefaultExactBelow = 25;

    public long Discordant => ChampionOnlyCorrect + ChallengerOnlyCorrect;

    /// <summary>
    /// <see cref="PValue"/> as text for people: "p = 0.0312" from 1e-4 on, scientific below ("p = 1.8e-66"), and
    /// "p &lt; 1e-300" when the tail underflows double's range to 0, so a tiny p-value never prints as "p = 0".
    /// </summary>
    public string PValueText => FormatPValue(PValue);

    /// <summary>Formats any p-value as <see cref="PValueText"/> does (invariant culture).</summary>
    public static string FormatPValue(double pValue) =>
        double.IsNaN(pValue) ? "p = NaN"
        : pValue <= 0 ? "p < 1e-300"
        : pValue < 1e-4 ? "p = " + pValue.ToString("0.#e-0", System.Globalization.CultureInfo.InvariantCulture)
        : "p = " + pValue.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The test from the two discordant counts.</summary>
    public static McNemarTest FromCounts(long championOnlyCorrect, long challengerOnlyCorrect, int exactBelow = DefaultExactBelow)
    {
        if (championOnlyCorrect < 0 || challengerOnlyCorrect < 0)
            throw new ArgumentOutOfRangeException(nameof(championOnlyCorrect), $"Discordant counts cannot be negative; received b = {championOnlyCorrect}, c = {challengerOnlyCorrect}.");
        var (b, c) = (championOnlyCorrect, challengerOnlyCorrect);
        var n = b + c;
        if (n < exactBelow || n == 0)
            return new McNemarTest(b, c, McNemarMethod.ExactBinomial, b, Statistics.BinomialTwoSidedHalf(Math.Min(b, c), n));
        var chi2 = Math.Pow(Math.Abs(b - c) - 1, 2) / n;
        return new McNemarTest(b, c, McNemarMethod.ChiSquareWithContinuityCorrection, chi2, Statistics.ChiSquareOneSurvival(chi2));
    }

    /// <summary>The test from per-sample correctness of the two models.</summary>
    public static McNemarTest FromCorrectness(IReadOnlyList<bool> championCorrect, IReadOnlyList<bool> challengerCorrect, int exactBelow = DefaultExactBelow)
    {
        ClassificationMetrics.CheckPair(championCorrect, challengerCorrect);
        long b = 0, c = 0;
        for (var i = 0; i < championCorrect.Count; i++)
        {
            if (championCorrect[i] && !challengerCorrect[i])
                b++;
            else if (!championCorrect[i] && challengerCorrect[i])
                c++;
        }
        return FromCounts(b, c, exactBelow);
    }
}
