using ModelLoop.Training;
using ModelLoop.Training.Callbacks;
using static ModelLoop.Tests.Training.TrainingFixtures;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Training;

public sealed class ParameterGroupTests
{
    /// <summary>"0." — the prefix of the first layer's parameter names ("0.weight", "0.bias").</summary>
    private static string FirstLayer(ModelLoop.Modeling.Model model)
    {
        var name = model.Network.named_parameters().First().name;
        return name[..(name.IndexOf('.', StringComparison.Ordinal) + 1)];
    }

    [Fact]
    public void TheTrainableFilterFreezesTheOtherParametersAndKeepsThemOutOfTheOptimizer()
    {
        using var data = Classification(128);
        using var model = Classifier(optimizer: OptimizerOptions.AdamW(0.01, weightDecay: 0.5));
        var head = FirstLayer(model);
        var before = Snapshot(model);
        model.Compile(OptimizerOptions.AdamW(0.01, weightDecay: 0.5), Loss.CrossEntropy(), [], new CompileOptions { Trainable = name => !name.StartsWith(head, StringComparison.Ordinal) });
        var probe = new GroupProbe();

        model.Fit(data, Options(epochs: 2) with { Plugins = [probe] });

        var after = Snapshot(model);
        foreach (var (name, parameter) in model.Network.named_parameters())
        {
            var frozen = name.StartsWith(head, StringComparison.Ordinal);
            Assert.Equal(!frozen, parameter.requires_grad);
            Assert.Equal(frozen, before[name].AsSpan().SequenceEqual(after[name]));
        }
        Assert.DoesNotContain(probe.Names.SelectMany(g => g.Value), n => n.StartsWith(head, StringComparison.Ordinal));
    }

    [Fact]
    public void AGroupAtHalfTheLearningRateMovesHalfAsFarInOneSgdStep()
    {
        double[] Update(CompileOptions? options)
        {
            using var data = Classification(64);
            using var model = Classifier(optimizer: OptimizerOptions.Sgd(1.0), options: options);
            var before = FlatParameters(model);
            model.Fit(data, Options(epochs: 1, batchSize: 64)); // one step: update = −rate · gradient
            return FlatParameters(model).Zip(before, (a, b) => a - b).ToArray();
        }

        using var probe = Classifier();
        var head = FirstLayer(probe);
        var headSize = probe.Network.named_parameters().Where(p => p.name.StartsWith(head, StringComparison.Ordinal)).Sum(p => p.parameter.numel());

        var full = Update(null);
        var grouped = Update(new CompileOptions { ParameterGroups = [new ParameterGroup("head", n => n.StartsWith(head, StringComparison.Ordinal)) { LearningRateScale = 0.5 }] });

        for (var i = 0; i < full.Length; i++)
            Assert.Equal(i < headSize ? full[i] / 2 : full[i], grouped[i], 1e-6);
    }

    [Fact]
    public void TheScheduleAndReduceLROnPlateauScaleEveryGroupsRateInProportion()
    {
        using var data = Classification(64);
        using var model = Classifier(optimizer: OptimizerOptions.Sgd(0.1), options: new CompileOptions
        {
            ParameterGroups = [new ParameterGroup("biases", n => n.EndsWith("bias", StringComparison.Ordinal)) { LearningRateScale = 0.25 }],
        });
        var probe = new GroupProbe();
        // Never improves after the first epoch (minDelta is huge), so the base rate halves after the second.
        var plateau = new ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 1, minDelta: 1e9);

        model.Fit(data, Options(epochs: 3, batchSize: 64) with { Schedule = LearningRateSchedule.Step(everyEpochs: 1, gamma: 0.1), Plugins = [probe] }, callbacks: [plateau]);

        // Epoch e: base 0.1 · 0.5^(e − 1 if e > 0) · 0.1^e (one step per epoch).
        double[] expected = [0.1, 0.1 * 0.1, 0.05 * 0.01];
        Assert.Equal(["default", "biases"], probe.Names.Keys);
        Assert.Equal(3, probe.Rates.Count);
        for (var e = 0; e < 3; e++)
        {
            Assert.Equal(expected[e], probe.Rates[e]["default"], 12);
            Assert.Equal(expected[e] * 0.25, probe.Rates[e]["biases"], 12);
        }
    }

    [Fact]
    public void AGroupsWeightDecayReplacesTheOptimizersForItsParametersOnly()
    {
        // One SGD step at rate 1 from the same weights: update = −(gradient + decay · weight), the gradient being the same in every run.
        Dictionary<string, double[]> Update(double decay, CompileOptions? options, out List<double> groupDecays)
        {
            using var data = Classification(64);
            using var model = Classifier(optimizer: OptimizerOptions.Sgd(1.0, weightDecay: decay), options: options);
            var before = model.Network.named_parameters().ToDictionary(p => p.name, p => Values(p.parameter));
            var probe = new GroupProbe();
            model.Fit(data, Options(epochs: 1, batchSize: 64) with { Plugins = [probe] });
            groupDecays = probe.Decays;
            return model.Network.named_parameters().ToDictionary(p => p.name, p => Values(p.parameter).Zip(before[p.name], (a, b) => a - b).ToArray());
        }

        var noDecayForBiases = new CompileOptions { ParameterGroups = [new ParameterGroup("no_decay", n => n.EndsWith("bias", StringComparison.Ordinal)) { WeightDecay = 0 }] };
        var decayed = Update(0.3, null, out _);
        var undecayed = Update(0, null, out _);
        var grouped = Update(0.3, noDecayForBiases, out var decays);

        Assert.Equal([0.3, 0.0], decays);
        foreach (var (name, update) in grouped)
        {
            var expected = name.EndsWith("bias", StringComparison.Ordinal) ? undecayed[name] : decayed[name];
            Assert.All(expected.Zip(update), p => Assert.Equal(p.First, p.Second, 1e-6));
        }
        Assert.NotEqual(decayed.Where(p => p.Key.EndsWith("bias", StringComparison.Ordinal)).SelectMany(p => p.Value), undecayed.Where(p => p.Key.EndsWith("bias", StringComparison.Ordinal)).SelectMany(p => p.Value));
    }

    [Fact]
    public void WithDecayMatricesOnlyVectorsStepAsUndecayedAndMatricesAsDecayed()
    {
        // One SGD step at rate 1 from the same weights: update = −(gradient + decay · weight).
        Dictionary<string, double[]> Update(OptimizerOptions optimizer, out Dictionary<string, List<string>> groups, out List<double> decays)
        {
            using var data = Classification(64);
            using var model = Classifier(optimizer: optimizer);
            var before = model.Network.named_parameters().ToDictionary(p => p.name, p => Values(p.parameter));
            var probe = new GroupProbe();
            model.Fit(data, Options(epochs: 1, batchSize: 64) with { Plugins = [probe] });
            (groups, decays) = (probe.Names, probe.Decays);
            return model.Network.named_parameters().ToDictionary(p => p.name, p => Values(p.parameter).Zip(before[p.name], (a, b) => a - b).ToArray());
        }

        var decayed = Update(OptimizerOptions.Sgd(1.0, weightDecay: 0.3), out _, out _);
        var undecayed = Update(OptimizerOptions.Sgd(1.0), out _, out _);
        var split = Update(OptimizerOptions.Sgd(1.0, weightDecay: 0.3) with { DecayMatricesOnly = true }, out var groups, out var decays);

        using var shapes = Classifier();
        var rank = shapes.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.dim());
        Assert.Contains(rank.Values, r => r < 2);
        Assert.Equal(["default", "default.no_decay"], groups.Keys);
        Assert.Equal([0.3, 0.0], decays);
        Assert.All(groups["default.no_decay"], name => Assert.True(rank[name] < 2, name));
        foreach (var (name, update) in split)
        {
            var expected = rank[name] < 2 ? undecayed[name] : decayed[name];
            Assert.All(expected.Zip(update), p => Assert.Equal(p.First, p.Second, 1e-6));
        }
    }

    private static double[] Values(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().to(ScalarType.Float64).reshape(-1).data<double>().ToArray();
    }

    [Fact]
    public void AParameterGroupThatMatchesNoParameterIsRefusedNamingTheParameters()
    {
        using var data = Classification(64);
        using var model = Classifier(options: new CompileOptions { ParameterGroups = [new ParameterGroup("typo", n => n.StartsWith("encoder.", StringComparison.Ordinal))] });
        var before = Snapshot(model);

        var error = Assert.Throws<ArgumentException>(() => model.Fit(data, Options()));

        Assert.Contains("'typo'", error.Message);
        Assert.Contains(model.Network.named_parameters().First().name, error.Message);
        AssertSameWeights(before, Snapshot(model));
    }

    [Fact]
    public void ATrainableFilterThatMatchesNothingIsRefused()
    {
        using var data = Classification(64);
        using var model = Classifier(options: new CompileOptions { Trainable = _ => false });

        var error = Assert.Throws<ArgumentException>(() => model.Fit(data, Options()));

        Assert.Contains("No parameter of the model trains", error.Message);
        Assert.Contains("CompileOptions.Trainable", error.Message);
        Assert.All(model.Network.parameters(), p => Assert.True(p.requires_grad, "a refused filter should leave requires_grad as it was"));
    }

    /// <summary>Records the groups' parameter names once and each group's rate at the first step of every epoch.</summary>
    private sealed class GroupProbe : StepPlugin
    {
        public Dictionary<string, List<string>> Names { get; } = new();
        public List<double> Decays { get; } = new();
        public List<Dictionary<string, double>> Rates { get; } = new();

        public override void OnTrainBegin(StepContext context)
        {
            foreach (var group in context.ParameterGroups)
            {
                Names[group.Name] = group.Parameters.Select(p => p.Name).ToList();
                Decays.Add(group.WeightDecay);
            }
        }

        public override void OnBeforeOptimizerStep(StepContext context)
        {
            if (context.Batch == 0)
                Rates.Add(context.ParameterGroups.ToDictionary(g => g.Name, g => g.LearningRate));
        }
    }
}
