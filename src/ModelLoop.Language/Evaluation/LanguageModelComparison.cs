using System.Globalization;
using ModelLoop.Evaluation;

namespace ModelLoop.Language.Evaluation;

/// <summary>
/// Champion vs challenger language model on the same held-out documents, as the loop's <see cref="ComparisonResult"/>:
/// the verdict is <see cref="ComparisonVerdict.Better"/> only when the challenger's perplexity is lower and the paired
/// bootstrap over documents (<see cref="DocumentBootstrap"/>) gives p below <see cref="ComparisonOptions.Alpha"/>, so
/// <see cref="Registry.ChallengerPromotion.Decide"/> — the gate every model goes through — promotes it only then.
/// </summary>
public static class LanguageModelComparison
{
    /// <exception cref="ArgumentException">The scores are not of the same documents and tokens.</exception>
    public static ComparisonResult Compare(HeldOutScores champion, HeldOutScores challenger, ComparisonOptions? options = null)
    {
        options ??= new ComparisonOptions();
        var test = DocumentBootstrap.Compare(champion, challenger, options);
        var ppl = test.Perplexity;
        var significant = test.PValue < options.Alpha;
        var verdict = significant && ppl.Difference < 0 ? ComparisonVerdict.Better
            : significant && ppl.Difference > 0 ? ComparisonVerdict.Worse
            : ComparisonVerdict.NotSignificantlyDifferent;
        var reason = string.Create(CultureInfo.InvariantCulture,
            $"On {test.Documents:N0} held-out documents ({challenger.Tokens:N0} tokens) the challenger's perplexity is {ppl.Challenger:0.####} against the champion's {ppl.Champion:0.####} " +
            $"(difference {ppl.Difference:+0.####;-0.####;0}, {options.ConfidenceLevel * 100:0.#}% interval [{ppl.Lower:0.####}, {ppl.Upper:0.####}]); paired bootstrap over documents p = {test.PValue:0.####} " +
            $"({test.Resamples:N0} resamples, seed {options.Seed}, α = {options.Alpha}): ") + verdict switch
            {
                ComparisonVerdict.Better => "lower and significant.",
                ComparisonVerdict.Worse => "higher, significantly.",
                _ => ppl.Difference < 0 ? "lower but not significant." : "not lower.",
            };
        return new ComparisonResult(verdict, reason, test.Documents, null, [test.Perplexity, test.Loss], options) { BootstrapPValue = test.PValue };
    }
}
