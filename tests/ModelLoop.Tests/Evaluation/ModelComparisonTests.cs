using ModelLoop.Evaluation;
using static ModelLoop.Tests.Evaluation.SklearnFixtures;

namespace ModelLoop.Tests.Evaluation;

public sealed class ModelComparisonTests
{
    [Fact]
    public void McNemarPValuesMatchScipyInBothFormsForEveryFixture()
    {
        foreach (var c in McNemar)
        {
            var (b, n) = (c.GetProperty("b").GetInt64(), c.GetProperty("c").GetInt64());
            var exact = McNemarTest.FromCounts(b, n, exactBelow: int.MaxValue);
            var chi2 = McNemarTest.FromCounts(b, n, exactBelow: 0);

            Assert.Equal(McNemarMethod.ExactBinomial, exact.Method);
            Close(c.GetProperty("exact_p").GetDouble(), exact.PValue, $"exact p (b={b}, c={n})");
            if (b + n > 0)
            {
                Assert.Equal(McNemarMethod.ChiSquareWithContinuityCorrection, chi2.Method);
                Close(c.GetProperty("chi2").GetDouble(), chi2.Statistic, $"chi2 (b={b}, c={n})");
                Close(c.GetProperty("chi2_p").GetDouble(), chi2.PValue, $"chi2 p (b={b}, c={n})");
            }
        }
    }

    [Theory]
    [InlineData(3, 9, McNemarMethod.ExactBinomial)]
    [InlineData(12, 12, McNemarMethod.ExactBinomial)]
    [InlineData(12, 13, McNemarMethod.ChiSquareWithContinuityCorrection)]
    [InlineData(24, 0, McNemarMethod.ExactBinomial)]
    public void McNemarIsExactBelowTwentyFiveDiscordantPairsAndChiSquareFromThere(int b, int c, McNemarMethod expected) =>
        Assert.Equal(expected, McNemarTest.FromCounts(b, c).Method);

    [Fact]
    public void AChallengerThatFixesManyErrorsIsBetterAndTheReverseIsWorse()
    {
        var (labels, champion, challenger) = Predictions(n: 400, championErrors: 80, challengerErrors: 30);

        var better = ModelComparison.CompareClassifiers(labels, champion, challenger, classes: 3);
        var worse = ModelComparison.CompareClassifiers(labels, challenger, champion, classes: 3);

        Assert.Equal(ComparisonVerdict.Better, better.Verdict);
        Assert.Equal(ComparisonVerdict.Worse, worse.Verdict);
        Assert.True(better.McNemar!.PValue < 0.05);
        Assert.Equal(McNemarMethod.ChiSquareWithContinuityCorrection, better.McNemar.Method);
        var accuracy = better["accuracy"];
        Assert.Equal(50.0 / 400, accuracy.Difference, 12);
        Assert.True(accuracy.Lower > 0 && accuracy.Lower < accuracy.Difference && accuracy.Difference < accuracy.Upper, $"CI [{accuracy.Lower}, {accuracy.Upper}]");
        Assert.Contains("Better", better.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AFewFixedErrorsAreNotSignificant()
    {
        var (labels, champion, challenger) = Predictions(n: 400, championErrors: 34, challengerErrors: 30);

        var result = ModelComparison.CompareClassifiers(labels, champion, challenger, classes: 3);

        Assert.Equal(ComparisonVerdict.NotSignificantlyDifferent, result.Verdict);
        Assert.Equal(McNemarMethod.ExactBinomial, result.McNemar!.Method); // 4 discordant pairs
        Assert.Equal(0.125, result.McNemar.PValue, 12); // 2 · ½⁴: all four discordant pairs favour the challenger
        Assert.Equal(4.0 / 400, result["accuracy"].Difference, 12);
    }

    [Theory]
    [InlineData(0.0312, "p = 0.0312")]
    [InlineData(1.8e-66, "p = 1.8e-66")]
    [InlineData(0.0, "p < 1e-300")]
    public void PValuesBelowOneInTenThousandPrintInScientificNotationAndAnUnderflowAsBelowTheSmallestDouble(double pValue, string expected)
    {
        Assert.Equal(expected, McNemarTest.FormatPValue(pValue));
    }

    [Fact]
    public void AVerySignificantComparisonNamesItsPValueInScientificNotationRatherThanZero()
    {
        var (labels, champion, challenger) = Predictions(n: 1000, championErrors: 300, challengerErrors: 0);

        var result = ModelComparison.CompareClassifiers(labels, champion, challenger, classes: 3);

        Assert.InRange(result.McNemar!.PValue, 1e-80, 1e-50);
        Assert.DoesNotContain("p = 0 ", result.Reason, StringComparison.Ordinal);
        Assert.Matches(@"p = \d(\.\d)?e-\d+ ", result.Reason);
    }

    [Fact]
    public void IdenticalModelsHaveZeroDifferencesWithZeroWidthIntervals()
    {
        var (labels, champion, _) = Predictions(n: 100, championErrors: 20, challengerErrors: 20);

        var result = ModelComparison.CompareClassifiers(labels, champion, champion, classes: 3);

        Assert.Equal(ComparisonVerdict.NotSignificantlyDifferent, result.Verdict);
        Assert.Equal(1.0, result.McNemar!.PValue);
        Assert.All(result.Metrics, m => Assert.Equal((0.0, 0.0, 0.0), (m.Difference, m.Lower, m.Upper)));
    }

    [Fact]
    public void ProbabilitiesAddALogLossDifferenceWhereLowerIsBetter()
    {
        int[] labels = [0, 1, 1, 0, 1, 0, 1, 1];
        var champion = ClassificationMetrics.BinaryProbabilities([0.4, 0.6, 0.55, 0.45, 0.6, 0.5, 0.52, 0.7]);
        var challenger = ClassificationMetrics.BinaryProbabilities([0.1, 0.9, 0.8, 0.2, 0.95, 0.1, 0.85, 0.9]);

        var result = ModelComparison.CompareClassifiers(labels, champion, challenger);

        var logLoss = result["log_loss"];
        Assert.False(logLoss.HigherIsBetter);
        Assert.Equal(ClassificationMetrics.LogLoss(challenger, labels) - ClassificationMetrics.LogLoss(champion, labels), logLoss.Difference, 12);
        Assert.True(logLoss.ChallengerSignificantlyBetter);
    }

    [Fact]
    public void TheResultRoundTripsThroughJsonWithTheNumbersBehindTheVerdict()
    {
        var (labels, champion, challenger) = Predictions(n: 300, championErrors: 60, challengerErrors: 25);
        var result = ModelComparison.CompareClassifiers(labels, champion, challenger, classes: 3, new ComparisonOptions { BootstrapResamples = 200, Seed = 3 });

        var json = result.ToJson();
        var back = ComparisonResult.FromJson(json);

        Assert.Contains("\"verdict\": \"Better\"", json, StringComparison.Ordinal);
        Assert.Contains("\"pValue\"", json, StringComparison.Ordinal);
        Assert.Equal(result.Verdict, back.Verdict);
        Assert.Equal(result.McNemar, back.McNemar);
        Assert.Equal(result.Metrics, back.Metrics);
        Assert.Equal(result.Options, back.Options);
        Assert.Equal(result.Reason, back.Reason);
    }

    [Fact]
    public void TheSameSeedGivesTheSameIntervals()
    {
        var (labels, champion, challenger) = Predictions(n: 200, championErrors: 40, challengerErrors: 30);
        var options = new ComparisonOptions { Seed = 11 };

        var first = ModelComparison.CompareClassifiers(labels, champion, challenger, 3, options);
        var second = ModelComparison.CompareClassifiers(labels, champion, challenger, 3, options);

        Assert.Equal(first.Metrics, second.Metrics);
    }

    [Fact]
    public void RegressorsAreJudgedByTheIntervalOfTheMeanSquaredErrorDifference()
    {
        var random = new Random(5);
        var targets = Enumerable.Range(0, 200).Select(_ => random.NextDouble() * 10).ToArray();
        var close = targets.Select(t => t + (random.NextDouble() - 0.5) * 0.5).ToArray();
        var far = targets.Select(t => t + (random.NextDouble() - 0.5) * 4).ToArray();

        var better = ModelComparison.CompareRegressors(targets, far, close);
        var worse = ModelComparison.CompareRegressors(targets, close, far);
        var same = ModelComparison.CompareRegressors(targets, close, close);

        Assert.Equal(ComparisonVerdict.Better, better.Verdict);
        Assert.Equal(ComparisonVerdict.Worse, worse.Verdict);
        Assert.Equal(ComparisonVerdict.NotSignificantlyDifferent, same.Verdict);
        Assert.Null(better.McNemar);
        Assert.Equal(RegressionMetrics.MeanSquaredError(targets, close) - RegressionMetrics.MeanSquaredError(targets, far), better["mse"].Difference, 9);
    }

    /// <summary>Labels 0–2; the champion errs on the first <paramref name="championErrors"/> samples, the challenger on the first <paramref name="challengerErrors"/>.</summary>
    private static (int[] Labels, int[] Champion, int[] Challenger) Predictions(int n, int championErrors, int challengerErrors)
    {
        var labels = Enumerable.Range(0, n).Select(i => i % 3).ToArray();
        int[] Wrong(int errors) => labels.Select((l, i) => i < errors ? (l + 1) % 3 : l).ToArray();
        return (labels, Wrong(championErrors), Wrong(challengerErrors));
    }
}
