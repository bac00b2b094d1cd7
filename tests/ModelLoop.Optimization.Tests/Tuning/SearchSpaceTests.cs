using System.Text.Json.Nodes;
using ModelLoop.Loop;
using ModelLoop.Optimization.Tuning;

namespace ModelLoop.Optimization.Tests.Tuning;

public sealed class SearchSpaceTests
{
    [Fact]
    public void An_unknown_field_path_is_refused_naming_the_field_and_listing_the_accepted_ones()
    {
        var error = Assert.Throws<FormatException>(() => InMemoryStudy.Space("""{ "optimizer.lr": { "type": "float", "low": 0.001, "high": 0.1 } }"""));

        Assert.Contains("optimizer.lr", error.Message, StringComparison.Ordinal);
        Assert.Contains("learningRate", error.Message, StringComparison.Ordinal);
        Assert.Contains("momentum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_top_level_field_lists_the_config_fields()
    {
        var error = Assert.Throws<FormatException>(() => InMemoryStudy.Space("""{ "learningRate": { "type": "float", "low": 0.001, "high": 0.1 } }"""));

        Assert.Contains("'learningRate'", error.Message, StringComparison.Ordinal);
        Assert.Contains("batchSize", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "batchSize": { "type": "normal", "low": 1, "high": 2 } }""", "normal")]
    [InlineData("""{ "batchSize": { "type": "int", "low": 64, "high": 16 } }""", "low < high")]
    [InlineData("""{ "l2": { "type": "float", "low": 0, "high": 0.1, "log": true } }""", "positive")]
    [InlineData("""{ "model.hidden": { "type": "categorical", "choices": [] } }""", "no choices")]
    [InlineData("""{ "batchSize": { "type": "int", "low": 16, "high": 64, "scale": 2 } }""", "scale")]
    public void A_malformed_distribution_is_refused_naming_the_parameter(string json, string expected)
    {
        var error = Assert.Throws<FormatException>(() => InMemoryStudy.Space(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(json.Contains("model.hidden", StringComparison.Ordinal) ? "model.hidden" : json.Contains("l2", StringComparison.Ordinal) ? "l2" : "batchSize", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_range_the_config_refuses_is_caught_before_any_trial_runs()
    {
        var space = InMemoryStudy.Space("""{ "batchSize": { "type": "int", "low": 0, "high": 64 } }""");

        var error = Assert.Throws<ArgumentException>(() => space.CheckAgainst(new TrainingConfig()));

        Assert.Contains("batchSize", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_of_the_wrong_type_for_its_field_is_caught_before_any_trial_runs()
    {
        var space = InMemoryStudy.Space("""{ "epochs": { "type": "categorical", "choices": [1, "many"] } }""");

        var error = Assert.Throws<ArgumentException>(() => space.CheckAgainst(new TrainingConfig()));

        Assert.Contains("epochs", error.Message, StringComparison.Ordinal);
        Assert.Contains("many", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Applying_values_sets_nested_fields_and_lists_of_the_config()
    {
        var config = SearchSpace.Apply(new TrainingConfig { Model = new ModelConfig { Zoo = "mlp" } }, new Dictionary<string, JsonNode?>
        {
            ["optimizer.learningRate"] = 0.01,
            ["model.hidden"] = new JsonArray(64, 32),
            ["batchSize"] = 16,
        });

        Assert.Equal(0.01, config.Optimizer.LearningRate);
        Assert.Equal([64, 32], config.Model.Hidden!);
        Assert.Equal(16, config.BatchSize);
        Assert.Equal("mlp", config.Model.Zoo);
    }

    [Fact]
    public void A_conditional_parameter_is_sampled_exactly_when_its_condition_holds()
    {
        var space = InMemoryStudy.Space("""
            {
              "optimizer.name": { "type": "categorical", "choices": ["adam", "sgd"] },
              "optimizer.momentum": { "type": "float", "low": 0, "high": 0.99, "when": { "optimizer.name": "sgd" } }
            }
            """);

        var trials = InMemoryStudy.Run(new TpeSampler(3), space, v => v.ContainsKey("optimizer.momentum") ? InMemoryStudy.Number(v, "optimizer.momentum") : 1, 40);

        Assert.Contains(trials, t => (string)t.Params["optimizer.name"]! == "sgd");
        Assert.Contains(trials, t => (string)t.Params["optimizer.name"]! == "adam");
        Assert.All(trials, t => Assert.Equal((string)t.Params["optimizer.name"]! == "sgd", t.Params.ContainsKey("optimizer.momentum")));
    }

    [Fact]
    public void A_condition_on_a_parameter_sampled_below_it_is_refused()
    {
        var error = Assert.Throws<FormatException>(() => InMemoryStudy.Space("""
            {
              "optimizer.momentum": { "type": "float", "low": 0, "high": 0.99, "when": { "optimizer.name": "sgd" } },
              "optimizer.name": { "type": "categorical", "choices": ["adam", "sgd"] }
            }
            """));

        Assert.Contains("optimizer.name", error.Message, StringComparison.Ordinal);
    }
}
