using System.Text.Json;
using ModelLoop.Privacy.Audit;
using static TorchSharp.torch;

namespace ModelLoop.Privacy.Tests.Audit;

public sealed class LikelihoodRatioAttackTests
{
    private sealed record Case(string Variant, bool PerExampleVariance, double[] Scores);

    private sealed record Fixture(double[] Target, double[][] Shadow, bool[][] TrainedOn, Case[] Cases, double[][] Logits, int[] Labels, double[] Phi);

    private static Fixture Load() => JsonSerializer.Deserialize<Fixture>(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Audit", "lira_fixture.json")),
        new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;

    [Theory]
    [InlineData(LiraVariant.Online, true)]
    [InlineData(LiraVariant.Online, false)]
    [InlineData(LiraVariant.Offline, true)]
    [InlineData(LiraVariant.Offline, false)]
    public void LiRA_scores_match_an_independent_SciPy_computation(LiraVariant variant, bool perExampleVariance)
    {
        var fixture = Load();
        var expected = fixture.Cases.Single(c => c.Variant == variant.ToString() && c.PerExampleVariance == perExampleVariance).Scores;

        var scores = LikelihoodRatioAttack.Score(fixture.Target, fixture.Shadow, fixture.TrainedOn, variant, perExampleVariance);

        Assert.Equal(expected.Length, scores.Length);
        for (var i = 0; i < scores.Length; i++)
            Assert.True(Math.Abs(scores[i] - expected[i]) <= 1e-9 * Math.Max(1, Math.Abs(expected[i])), $"example {i}: {scores[i]} vs SciPy {expected[i]}");
    }

    [Fact]
    public void The_logit_scaled_confidence_matches_SciPy_even_where_softmax_rounds_the_true_class_to_one()
    {
        var fixture = Load();
        using var logits = tensor(fixture.Logits.SelectMany(r => r).ToArray(), [fixture.Logits.Length, fixture.Logits[0].Length]);

        var phi = MembershipScores.LogitConfidence(logits, fixture.Labels);

        for (var i = 0; i < phi.Length; i++)
            Assert.True(Math.Abs(phi[i] - fixture.Phi[i]) <= 1e-9 * Math.Max(1, Math.Abs(fixture.Phi[i])), $"row {i}: {phi[i]} vs SciPy {fixture.Phi[i]}");
    }

    [Fact]
    public void Online_LiRA_refuses_an_example_no_shadow_model_trained_on_and_names_it()
    {
        double[][] shadow = [[0.1, 0.2], [0.3, 0.4]];
        bool[][] trainedOn = [[true, false], [false, false]];

        var error = Assert.Throws<ArgumentException>(() => LikelihoodRatioAttack.Score([0.5, 0.6], shadow, trainedOn, LiraVariant.Online, perExampleVariance: false));

        Assert.Contains("Example 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("IN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_loss_is_the_cross_entropy_of_the_logit_scaled_confidence_without_overflow()
    {
        // p_y = sigmoid(φ), so −log p_y = log(1 + e^−φ): at φ = 0 that is log 2; at φ = −800 it is 800 (e^800 overflows).
        Assert.Equal(Math.Log(2), MembershipScores.Loss(0), 12);
        Assert.Equal(800, MembershipScores.Loss(-800), 9);
        Assert.Equal(-Math.Log(1 / (1 + Math.Exp(-3.0))), MembershipScores.Loss(3), 12);
    }
}
