using System.Text.Json;
using ModelLoop.Evaluation;
using ModelLoop.Language.Evaluation;

namespace ModelLoop.Language.Tests.Evaluation;

public sealed class DocumentBootstrapTests
{
    private static HeldOutScores Scores(IReadOnlyList<int> tokens, IReadOnlyList<double> sums) =>
        new([.. tokens.Select((t, i) => new DocumentScore(i, "doc", t, sums[i]))]);

    [Fact]
    public void The_bootstrap_matches_numpys_on_the_same_resampled_documents()
    {
        // Fixtures/make_bootstrap_fixture.py: the same statistic computed with numpy on the same resamples.
        using var fixture = JsonDocument.Parse(File.ReadAllText(Samples.Fixture("document-bootstrap.json")));
        var root = fixture.RootElement;
        var tokens = root.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray();
        var champion = Scores(tokens, [.. root.GetProperty("championLossSum").EnumerateArray().Select(v => v.GetDouble())]);
        var challenger = Scores(tokens, [.. root.GetProperty("challengerLossSum").EnumerateArray().Select(v => v.GetDouble())]);
        var resamples = root.GetProperty("resamples").EnumerateArray().Select(r => r.EnumerateArray().Select(i => i.GetInt32()).ToArray()).ToArray();
        var expected = root.GetProperty("expected");
        double E(string name) => expected.GetProperty(name).GetDouble();

        var result = DocumentBootstrap.Compare(champion, challenger, resamples, root.GetProperty("confidence").GetDouble());

        Assert.Equal(E("championLoss"), result.Loss.Champion, 12);
        Assert.Equal(E("challengerLoss"), result.Loss.Challenger, 12);
        Assert.Equal(E("lossDifference"), result.Loss.Difference, 12);
        Assert.Equal(E("lossLower"), result.Loss.Lower, 12);
        Assert.Equal(E("lossUpper"), result.Loss.Upper, 12);
        Assert.Equal(E("championPerplexity"), result.Perplexity.Champion, 10);
        Assert.Equal(E("perplexityDifference"), result.Perplexity.Difference, 10);
        Assert.Equal(E("perplexityLower"), result.Perplexity.Lower, 10);
        Assert.Equal(E("perplexityUpper"), result.Perplexity.Upper, 10);
        Assert.Equal(E("pValue"), result.PValue, 12);
    }

    [Fact]
    public void Documents_that_all_improve_by_the_same_loss_per_token_give_a_point_interval_and_the_smallest_p_value()
    {
        // Challenger − champion is −0.25 nats on every token of every document, so every resample's difference is −0.25.
        int[] tokens = [12, 40, 7, 33, 90, 15, 21, 64];
        var champion = tokens.Select((t, i) => t * (2.0 + 0.1 * i)).ToArray();
        var options = new ComparisonOptions { BootstrapResamples = 199, Seed = 5 };

        var result = DocumentBootstrap.Compare(Scores(tokens, champion), Scores(tokens, [.. champion.Select((s, i) => s - 0.25 * tokens[i])]), options);

        Assert.Equal(-0.25, result.Loss.Difference, 12);
        Assert.Equal(-0.25, result.Loss.Lower, 12);
        Assert.Equal(-0.25, result.Loss.Upper, 12);
        Assert.Equal(2.0 / 200, result.PValue, 12);
    }

    [Fact]
    public void The_same_seed_gives_the_same_interval_and_another_seed_another()
    {
        int[] tokens = [10, 20, 30, 40, 50, 60];
        double[] a = [25, 41, 70, 77, 120, 118];
        double[] b = [22, 44, 61, 80, 101, 121];

        var first = DocumentBootstrap.Compare(Scores(tokens, a), Scores(tokens, b), new ComparisonOptions { Seed = 1 });
        var again = DocumentBootstrap.Compare(Scores(tokens, a), Scores(tokens, b), new ComparisonOptions { Seed = 1 });
        var other = DocumentBootstrap.Compare(Scores(tokens, a), Scores(tokens, b), new ComparisonOptions { Seed = 2 });

        Assert.Equal((first.Loss.Lower, first.Loss.Upper, first.PValue), (again.Loss.Lower, again.Loss.Upper, again.PValue));
        Assert.NotEqual((first.Loss.Lower, first.Loss.Upper), (other.Loss.Lower, other.Loss.Upper));
    }

    [Fact]
    public void Identical_scores_are_not_significantly_different()
    {
        int[] tokens = [10, 20, 30];
        double[] sums = [21, 39, 66];

        var comparison = LanguageModelComparison.Compare(Scores(tokens, sums), Scores(tokens, sums));

        Assert.Equal(ComparisonVerdict.NotSignificantlyDifferent, comparison.Verdict);
        Assert.Equal(1.0, comparison.BootstrapPValue);
        Assert.Contains("not lower", comparison.Reason);
    }

    [Fact]
    public void Models_that_tokenize_a_document_differently_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => DocumentBootstrap.Compare(Scores([10, 20], [20, 40]), Scores([10, 25], [20, 40])));

        Assert.Contains("different tokenizers", error.Message);
    }
}
