using System.Text.Json.Nodes;
using ModelLoop.Optimization.Tuning;

namespace ModelLoop.Optimization.Tests.Tuning;

public sealed class PrunerTests
{
    private static readonly Dictionary<string, JsonNode?> NoParams = [];

    /// <summary>A trial with one reported value per step, from step 1.</summary>
    private static TrialRecord Trial(int number, TrialState state, params double[] steps) =>
        InMemoryStudy.Complete(number, NoParams, state == TrialState.Running ? null : steps[^1], state,
            steps.Select((v, i) => (Step: i + 1, Value: v)).ToDictionary(p => p.Step, p => p.Value));

    [Fact]
    public void The_median_pruner_prunes_a_trial_below_the_median_at_its_step()
    {
        var finished = Enumerable.Range(0, 5).Select(i => Trial(i, TrialState.Complete, 0.5 + 0.1 * i, 0.6 + 0.1 * i)).ToList();
        var low = Trial(5, TrialState.Running, 0.55, 0.62);
        var high = Trial(6, TrialState.Running, 0.55, 0.95);
        var pruner = new MedianPruner();

        Assert.True(pruner.ShouldPrune(low, [.. finished, low], StudyDirection.Maximize));
        Assert.False(pruner.ShouldPrune(high, [.. finished, high], StudyDirection.Maximize));
        // Minimizing, the same numbers read the other way round.
        var worse = Trial(7, TrialState.Running, 0.95, 0.95);
        Assert.False(pruner.ShouldPrune(low, [.. finished, low], StudyDirection.Minimize));
        Assert.True(pruner.ShouldPrune(worse, [.. finished, worse], StudyDirection.Minimize));
    }

    [Fact]
    public void The_median_pruner_waits_for_its_startup_trials_and_warmup_steps()
    {
        var finished = Enumerable.Range(0, 4).Select(i => Trial(i, TrialState.Complete, 0.9, 0.9)).ToList();
        var low = Trial(4, TrialState.Running, 0.1, 0.1);

        Assert.False(new MedianPruner().ShouldPrune(low, [.. finished, low], StudyDirection.Maximize));
        Assert.True(new MedianPruner { StartupTrials = 4 }.ShouldPrune(low, [.. finished, low], StudyDirection.Maximize));
        Assert.False(new MedianPruner { StartupTrials = 4, WarmupSteps = 2 }.ShouldPrune(low, [.. finished, low], StudyDirection.Maximize));
    }

    [Fact]
    public void Successive_halving_promotes_the_top_third_of_a_rung()
    {
        // Nine trials reached rung 0 (step 1) with values 0.1 … 0.9; with η = 3 the top ⌊10/3⌋ = 3 of the ten go on.
        var others = Enumerable.Range(0, 9).Select(i => Trial(i, TrialState.Pruned, 0.1 * (i + 1))).ToList();
        var pruner = new SuccessiveHalvingPruner();
        var promoted = new List<double>();
        foreach (var value in new[] { 0.05, 0.35, 0.65, 0.75, 0.85, 0.95 })
        {
            var trial = Trial(9, TrialState.Running, value);
            if (!pruner.ShouldPrune(trial, [.. others, trial], StudyDirection.Maximize))
                promoted.Add(value);
        }

        Assert.Equal([0.75, 0.85, 0.95], promoted);
    }

    [Fact]
    public void Successive_halving_judges_a_trial_again_only_at_the_next_rung()
    {
        var pruner = new SuccessiveHalvingPruner();
        var others = Enumerable.Range(0, 6).Select(i => Trial(i, TrialState.Complete, 0.9, 0.9, 0.95)).ToList();
        // Step 2 is between rungs 1 and 3: a weak value there is not judged.
        var between = Trial(6, TrialState.Running, 0.95, 0.1);
        // At step 3 (rung 1) the same weak value loses to the six trials that reached it.
        var atRung = Trial(6, TrialState.Running, 0.95, 0.1, 0.1);

        Assert.False(pruner.ShouldPrune(between, [.. others, between], StudyDirection.Maximize));
        Assert.True(pruner.ShouldPrune(atRung, [.. others, atRung], StudyDirection.Maximize));
        Assert.Equal([1L, 3L, 9L], new[] { 0, 1, 2 }.Select(pruner.RungStep));
    }

    [Fact]
    public void The_first_trial_at_a_rung_is_always_promoted()
    {
        var trial = Trial(0, TrialState.Running, 0.01, 0.01, 0.01);

        Assert.False(new SuccessiveHalvingPruner().ShouldPrune(trial, [trial], StudyDirection.Maximize));
    }
}
