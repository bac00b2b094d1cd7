using ModelLoop.Evaluation;
using ModelLoop.Registry;

namespace ModelLoop.Loop;

/// <summary>What one pass of the demo loop ended with.</summary>
public sealed record DemoOutcome
{
    public required string Name { get; init; }
    public required string Home { get; init; }
    public required string DatasetHash { get; init; }
    public required TrainingResult Champion { get; init; }
    public required TrainingResult Challenger { get; init; }
    public required int ChampionVersion { get; init; }
    public required int ChallengerVersion { get; init; }
    public required double ChampionAccuracy { get; init; }
    public required double ChallengerAccuracy { get; init; }
    public required ComparisonResult Comparison { get; init; }
    public required PromotionDecision Decision { get; init; }
    public required int ProductionVersion { get; init; }
    public required string ChampionReport { get; init; }
    public required string ChallengerReport { get; init; }
    public required string ComparisonPath { get; init; }
    public required TimeSpan Elapsed { get; init; }
}
