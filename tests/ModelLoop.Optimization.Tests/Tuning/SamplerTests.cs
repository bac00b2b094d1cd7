using System.Text.Json.Nodes;
using ModelLoop.Optimization.Tuning;

namespace ModelLoop.Optimization.Tests.Tuning;

public sealed class SamplerTests
{
    private static readonly SearchSpace Quadratic = InMemoryStudy.Space("""
        { "l2": { "type": "float", "low": -5, "high": 5 }, "labelSmoothing": { "type": "float", "low": -5, "high": 5 } }
        """);

    private static double Bowl(IReadOnlyDictionary<string, JsonNode?> v) =>
        Math.Pow(InMemoryStudy.Number(v, "l2") - 1.5, 2) + Math.Pow(InMemoryStudy.Number(v, "labelSmoothing") + 2, 2);

    private static double MeanBest(Func<long, Sampler> sampler, int trials) =>
        Enumerable.Range(1, 8).Average(seed => InMemoryStudy.Run(sampler(seed), Quadratic, Bowl, trials).Min(t => t.Value!.Value));

    [Fact]
    public void Tpe_finds_a_better_minimum_than_random_search_on_a_quadratic()
    {
        var tpe = MeanBest(seed => new TpeSampler(seed), 50);
        var random = MeanBest(seed => new RandomSampler(seed), 50);

        // Random search's expected best of 50 on this bowl is ≈ 0.6; TPE's should be several times smaller.
        Assert.True(tpe < random / 2, $"mean best of 50 over 8 seeds: TPE {tpe:G3}, random {random:G3}");
    }

    [Fact]
    public void Tpe_concentrates_on_the_better_choice_of_a_categorical()
    {
        var space = InMemoryStudy.Space("""{ "optimizer.name": { "type": "categorical", "choices": ["adam", "sgd", "rmsprop", "adamw"] } }""");

        var trials = InMemoryStudy.Run(new TpeSampler(5), space, v => (string)v["optimizer.name"]! == "rmsprop" ? 0 : 1, 60);

        var after = trials.Skip(10).Count(t => (string)t.Params["optimizer.name"]! == "rmsprop");
        Assert.True(after > 50 * 0.5, $"rmsprop in {after} of the 50 TPE trials (random: about 12)");
    }

    [Fact]
    public void Tpe_models_log_and_int_parameters_within_their_ranges()
    {
        var space = InMemoryStudy.Space("""
            { "optimizer.learningRate": { "type": "float", "low": 0.00001, "high": 0.1, "log": true },
              "batchSize": { "type": "int", "low": 8, "high": 256, "log": true },
              "epochs": { "type": "int", "low": 2, "high": 20, "step": 3 } }
            """);

        var trials = InMemoryStudy.Run(new TpeSampler(2), space, v => Math.Abs(Math.Log10(InMemoryStudy.Number(v, "optimizer.learningRate")) + 3), 40);

        Assert.All(trials, t =>
        {
            Assert.InRange(InMemoryStudy.Number(t.Params, "optimizer.learningRate"), 0.00001, 0.1);
            var batch = InMemoryStudy.Number(t.Params, "batchSize");
            Assert.InRange(batch, 8, 256);
            Assert.Equal(Math.Round(batch), batch);
            Assert.Contains(InMemoryStudy.Number(t.Params, "epochs"), new double[] { 2, 5, 8, 11, 14, 17, 20 });
        });
        var late = trials.Skip(25).Average(t => Math.Abs(Math.Log10(InMemoryStudy.Number(t.Params, "optimizer.learningRate")) + 3));
        var early = trials.Take(10).Average(t => Math.Abs(Math.Log10(InMemoryStudy.Number(t.Params, "optimizer.learningRate")) + 3));
        Assert.True(late < early, $"distance from 1e-3 in decades: first 10 trials {early:G3}, last 15 {late:G3}");
    }

    [Fact]
    public void Tpe_starts_with_the_random_samplers_draws_for_its_startup_trials()
    {
        var tpe = InMemoryStudy.Run(new TpeSampler(9), Quadratic, Bowl, 12);
        var random = InMemoryStudy.Run(new RandomSampler(9), Quadratic, Bowl, 12);

        for (var i = 0; i < 10; i++)
            Assert.Equal(random[i].Params["l2"]!.ToJsonString(), tpe[i].Params["l2"]!.ToJsonString());
        Assert.NotEqual(random[10].Params["l2"]!.ToJsonString(), tpe[10].Params["l2"]!.ToJsonString());
    }

    [Fact]
    public void A_seeded_sampler_draws_the_same_values_again()
    {
        var first = InMemoryStudy.Run(new TpeSampler(4), Quadratic, Bowl, 15);
        var second = InMemoryStudy.Run(new TpeSampler(4), Quadratic, Bowl, 15);

        Assert.Equal(first.Select(t => t.Params["l2"]!.ToJsonString()), second.Select(t => t.Params["l2"]!.ToJsonString()));
    }

    [Fact]
    public void The_grid_sampler_tries_every_combination_once_and_then_stops()
    {
        var space = InMemoryStudy.Space("""
            { "optimizer.name": { "type": "categorical", "choices": ["adam", "sgd"] },
              "optimizer.momentum": { "type": "float", "low": 0, "high": 0.9, "step": 0.45, "when": { "optimizer.name": "sgd" } },
              "batchSize": { "type": "int", "low": 16, "high": 48, "step": 16 } }
            """);

        var trials = InMemoryStudy.Run(new GridSampler(1), space, _ => 0, 100);

        // adam × 3 batch sizes + sgd × 3 momenta × 3 batch sizes
        Assert.Equal(3 + 9, trials.Count);
        Assert.Equal(trials.Count, trials.Select(t => string.Join(",", t.Params.OrderBy(p => p.Key).Select(p => p.Value!.ToJsonString()))).Distinct().Count());
    }

    [Fact]
    public void The_grid_sampler_refuses_a_continuous_float_naming_it()
    {
        var error = Assert.Throws<ArgumentException>(() => new GridSampler().Check(Quadratic));

        Assert.Contains("l2", error.Message, StringComparison.Ordinal);
        Assert.Contains("step", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gamma_and_weights_follow_optunas_defaults()
    {
        Assert.Equal([1, 1, 2, 3, 10, 25, 25], new[] { 1, 10, 11, 30, 100, 250, 1000 }.Select(TpeSampler.Gamma));
        var weights = TpeSampler.Weights(30);
        Assert.Equal(30, weights.Length);
        Assert.Equal(1.0 / 30, weights[0], 12);
        Assert.All(weights.Skip(5), w => Assert.Equal(1.0, w));
        Assert.True(weights[0] < weights[4]);
    }
}
