using ModelLoop.Evaluation;
using ModelLoop.Language.Evaluation;
using ModelLoop.Language.Packaging;
using ModelLoop.Registry;

namespace ModelLoop.Language.Tests.Evaluation;

public sealed class LanguageModelGateTests(TrainedModels models) : IClassFixture<TrainedModels>, IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("lm-gate").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private (ModelRegistry Registry, LanguageModelGateOutcome Outcome) Gate(string champion, string challenger)
    {
        var registry = new ModelRegistry(_home);
        LanguageModelRegistration.Register(registry, "fortunes", champion, new RegisterOptions { Aliases = ["champion", "production"] });
        LanguageModelRegistration.Register(registry, "fortunes", challenger, new RegisterOptions { Aliases = ["challenger"] });
        var outcome = LanguageModelGate.Run("fortunes:champion", "fortunes:challenger", new LanguageModelGateOptions
        {
            Home = _home,
            Promote = ["champion", "production"],
            Comparison = new ComparisonOptions { BootstrapResamples = 500, Seed = 7 },
        });
        return (registry, outcome);
    }

    [Fact]
    public void A_challenger_with_significantly_lower_perplexity_takes_the_aliases_with_the_reason_recorded()
    {
        var (registry, outcome) = Gate(models.Short, models.Long);

        Assert.True(outcome.ChallengerScores.Perplexity < outcome.ChampionScores.Perplexity);
        Assert.Equal(ComparisonVerdict.Better, outcome.Comparison.Verdict);
        Assert.True(outcome.Decision!.Promoted);
        Assert.Equal(2, registry.GetAliasVersion("fortunes", "champion"));
        Assert.Equal(2, registry.GetAliasVersion("fortunes", "production"));
        var move = registry.History("fortunes", "production")[^1];
        Assert.Contains("paired bootstrap p =", move.Reason);
        Assert.Contains("Promoted v2", move.Reason);
        Assert.Equal("promoted", registry.GetVersion("fortunes", 2).Tags["promotion"]);
    }

    [Fact]
    public void A_challenger_with_higher_perplexity_is_refused_and_the_reason_recorded()
    {
        var (registry, outcome) = Gate(models.Long, models.Short);

        Assert.Equal(ComparisonVerdict.Worse, outcome.Comparison.Verdict);
        Assert.False(outcome.Decision!.Promoted);
        Assert.Equal(1, registry.GetAliasVersion("fortunes", "champion"));
        Assert.Equal(1, registry.GetAliasVersion("fortunes", "production"));
        Assert.Contains("Rejected: v1 stays champion, production", registry.History("fortunes", "challenger")[^1].Reason);
        Assert.Equal("rejected", registry.GetVersion("fortunes", 2).Tags["promotion"]);
    }

    [Fact]
    public void A_challenger_equal_to_the_champion_is_refused_as_not_lower()
    {
        var (registry, outcome) = Gate(models.Long, models.Long);

        Assert.Equal(outcome.ChampionScores.MeanLoss, outcome.ChallengerScores.MeanLoss, 12);
        Assert.Equal(ComparisonVerdict.NotSignificantlyDifferent, outcome.Comparison.Verdict);
        Assert.False(outcome.Decision!.Promoted);
        Assert.Equal(1, registry.GetAliasVersion("fortunes", "production"));
        Assert.Contains("verdict NotSignificantlyDifferent", registry.GetVersion("fortunes", 2).Tags["promotion.reason"]);
    }

    [Fact]
    public void Promoting_between_folders_is_refused_naming_what_to_pass()
    {
        var error = Assert.Throws<ArgumentException>(() => LanguageModelGate.Run(models.Short, models.Long, new LanguageModelGateOptions { Home = _home, Promote = ["champion"] }));

        Assert.Contains("two versions of it", error.Message);
    }
}
