using ModelLoop.Optimization.Tuning;

namespace ModelLoop.Optimization.Tests.Tuning;

public sealed class ImportanceTests
{
    [Fact]
    public void The_parameter_that_drives_the_objective_gets_most_of_the_importance()
    {
        var space = InMemoryStudy.Space("""
            { "l2": { "type": "float", "low": 0, "high": 1 },
              "labelSmoothing": { "type": "float", "low": 0, "high": 0.5 },
              "optimizer.name": { "type": "categorical", "choices": ["adam", "sgd", "rmsprop"] } }
            """);
        var trials = InMemoryStudy.Run(new RandomSampler(7), space,
            v => 10 * Math.Pow(InMemoryStudy.Number(v, "l2") - 0.4, 2) + 0.2 * InMemoryStudy.Number(v, "labelSmoothing") + ((string)v["optimizer.name"]! == "sgd" ? 0.05 : 0), 60);

        var importance = ParameterImportance.Evaluate(space, trials, trees: 32);

        Assert.Equal(1.0, importance.Sum(p => p.Value), 9);
        Assert.Equal("l2", importance[0].Key);
        Assert.True(importance[0].Value > 0.8, string.Join(", ", importance.Select(p => $"{p.Key} {p.Value:F3}")));
    }

    [Fact]
    public void Importance_needs_two_complete_trials()
    {
        var space = InMemoryStudy.Space("""{ "l2": { "type": "float", "low": 0, "high": 1 } }""");

        Assert.Empty(ParameterImportance.Evaluate(space, InMemoryStudy.Run(new RandomSampler(1), space, _ => 1, 1)));
    }
}
