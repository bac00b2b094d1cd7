using ModelLoop.Evaluation;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Tests.Training;
using ModelLoop.Artifacts;
using ModelLoop.Registry;

namespace ModelLoop.Tests.Registry;

public sealed class ChallengerPromotionTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly ModelRegistry _registry;

    public ChallengerPromotionTests() => _registry = new ModelRegistry(_folder.File("home"));

    public void Dispose() => _folder.Dispose();

    /// <summary>Registers two versions of "m" (v1 with production and champion on it) and returns them.</summary>
    private (int Champion, int Challenger) TwoVersions()
    {
        int Register(string file)
        {
            using var model = new Sequential(4) { new Dense(2) };
            ModelArtifact.Save(model, _folder.File(file));
            return _registry.Register("m", _folder.File(file)).Version;
        }
        var champion = Register("a");
        foreach (var alias in ChallengerPromotion.DefaultAliases)
            _registry.SetAlias("m", alias, champion, "first");
        return (champion, Register("b"));
    }

    /// <summary>
    /// 200 labels; the champion is right on the first <paramref name="championRight"/>, the challenger on the first
    /// <paramref name="challengerRight"/> (wrong means predicting the other class), so McNemar sees their difference.
    /// </summary>
    private static ComparisonResult Compare(int championRight, int challengerRight)
    {
        var labels = Enumerable.Range(0, 200).Select(i => i % 2).ToArray();
        int[] Predicted(int right) => labels.Select((l, i) => i < right ? l : 1 - l).ToArray();
        return ModelComparison.CompareClassifiers(labels, Predicted(championRight), Predicted(challengerRight), classes: 2);
    }

    [Fact]
    public void ABetterChallengerTakesChampionAndProductionWithTheVerdictAsTheReason()
    {
        var (champion, challenger) = TwoVersions();
        var comparison = Compare(championRight: 120, challengerRight: 180);

        var decision = ChallengerPromotion.Decide(_registry, "m", champion, challenger, comparison);

        Assert.Equal(ComparisonVerdict.Better, decision.Verdict);
        Assert.True(decision.Promoted);
        Assert.Equal(challenger, _registry.GetAliasVersion("m", "production"));
        Assert.Equal(challenger, _registry.GetAliasVersion("m", "champion"));
        var move = _registry.History("m", "production").Last();
        Assert.Equal((champion, challenger), (move.FromVersion, move.ToVersion));
        Assert.Contains("verdict Better", move.Reason);
        Assert.Contains("accuracy 0.9 vs 0.6", move.Reason);
        Assert.Equal("promoted", _registry.GetVersion("m", challenger).Tags["promotion"]);
    }

    [Theory]
    [InlineData(150, 152, ComparisonVerdict.NotSignificantlyDifferent)]
    [InlineData(180, 120, ComparisonVerdict.Worse)]
    public void AChallengerThatIsNotBetterIsRejectedAndTheReasonIsKept(int championRight, int challengerRight, ComparisonVerdict verdict)
    {
        var (champion, challenger) = TwoVersions();

        var decision = ChallengerPromotion.Decide(_registry, "m", champion, challenger, Compare(championRight, challengerRight));

        Assert.Equal(verdict, decision.Verdict);
        Assert.False(decision.Promoted);
        Assert.Equal(champion, _registry.GetAliasVersion("m", "production"));
        Assert.Equal(champion, _registry.GetAliasVersion("m", "champion"));
        Assert.Equal(challenger, _registry.GetAliasVersion("m", "challenger"));
        var tags = _registry.GetVersion("m", challenger).Tags;
        Assert.Equal("rejected", tags["promotion"]);
        Assert.Contains($"verdict {verdict}", tags["promotion.reason"]);
        Assert.Equal(tags["promotion.reason"], _registry.History("m", "challenger").Single().Reason);
    }

    [Fact]
    public void ComparingAVersionWithItselfIsRefused()
    {
        var (champion, _) = TwoVersions();

        Assert.Throws<ArgumentException>(() => ChallengerPromotion.Decide(_registry, "m", champion, champion, Compare(100, 100)));
    }
    [Theory]
    [InlineData(150, 149, 0.01, true)]   // 0.5 point lower, not significant: a cheaper variant within a 1-point margin goes in
    [InlineData(150, 149, 0.001, false)] // the same drop with a 0.1-point margin is refused
    [InlineData(180, 120, 0.5, false)]   // significantly worse is refused whatever the margin
    public void A_cheaper_variant_is_promoted_when_not_worse_and_within_the_accuracy_margin(int championRight, int challengerRight, double margin, bool promoted)
    {
        var (champion, challenger) = TwoVersions();

        var decision = ChallengerPromotion.DecideNotWorse(_registry, "m", champion, challenger, Compare(championRight, challengerRight), margin);

        Assert.Equal(promoted, decision.Promoted);
        Assert.Equal(promoted ? challenger : champion, _registry.GetAliasVersion("m", "production"));
        Assert.Contains("a cheaper variant is promoted when not Worse", decision.Reason);
        Assert.Equal(promoted ? "promoted" : "rejected", _registry.GetVersion("m", challenger).Tags["promotion"]);
    }

    [Fact]
    public void A_negative_accuracy_margin_is_refused_naming_it()
    {
        var (champion, challenger) = TwoVersions();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ChallengerPromotion.DecideNotWorse(_registry, "m", champion, challenger, Compare(100, 100), -0.1));
        Assert.Contains("maxAccuracyDrop", e.Message);
    }
}
