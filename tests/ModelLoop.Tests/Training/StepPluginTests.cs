using ModelLoop.Training;
using TorchSharp;
using static ModelLoop.Tests.Training.TrainingFixtures;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Training;

public sealed class StepPluginTests
{
    [Fact]
    public void HooksRunInStepOrderAndTheOptimizerHooksOncePerAccumulatedStep()
    {
        using var data = Classification(80); // 5 batches of 16; steps over batches {0, 1}, {2, 3}, {4}
        using var model = Classifier();
        var probe = new StepProbe("p");

        model.Fit(data, Options(epochs: 1, batchSize: 16) with { AccumulateGradientBatches = 2, Plugins = [probe] });

        string[] OneBatch(long b, long step, int inStep) => [$"p.Forward({b}, step {step} of {inStep})", $"p.OnAfterForward({b})", $"p.OnAfterBackward({b})"];
        string[] update = ["p.OnBeforeOptimizerStep", "p.OnAfterOptimizerStep"];
        Assert.Equal(
            ["p.OnTrainBegin", .. OneBatch(0, 0, 2), .. OneBatch(1, 0, 2), .. update, .. OneBatch(2, 1, 2), .. OneBatch(3, 1, 2), .. update, .. OneBatch(4, 2, 1), .. update, "p.OnTrainEnd"],
            probe.Calls);
    }

    [Fact]
    public void APluginsStateSurvivesAResumeFromTheCheckpoint()
    {
        using var folder = new TempFolder();
        using var data = Classification(96);
        using var uninterrupted = Classifier();
        using var killed = Classifier();
        using var resumed = Classifier();
        var whole = new StepCounter();
        var first = new StepCounter();
        var second = new StepCounter();
        var checkpoint = folder.File("run.ckpt");

        uninterrupted.Fit(data, Options(epochs: 3, batchSize: 16) with { Plugins = [whole] });
        killed.Fit(data, Options(epochs: 1, batchSize: 16) with { Plugins = [first], CheckpointPath = checkpoint });
        resumed.Fit(data, Options(epochs: 3, batchSize: 16) with { Plugins = [second], CheckpointPath = checkpoint });

        Assert.Equal(18, whole.Steps);
        Assert.Equal(whole.Steps, second.Steps); // 6 restored + 12 run
        Assert.Equal(whole.LossSum!.item<double>(), second.LossSum!.item<double>(), 9);
    }

    /// <summary>Counts optimizer steps (JSON state) and sums the loss (tensor state), as an accountant or a mask would keep them.</summary>
    private sealed class StepCounter : StepPlugin
    {
        public int Steps { get; private set; }
        public Tensor? LossSum { get; private set; }

        public override void OnTrainBegin(StepContext context) => LossSum ??= zeros(1, dtype: ScalarType.Float64).DetachFromDisposeScope();

        public override Tensor OnAfterForward(StepContext context, Tensor output, Tensor loss)
        {
            using (no_grad())
                LossSum!.add_(loss.detach().to(ScalarType.Float64));
            return loss;
        }

        public override void OnAfterOptimizerStep(StepContext context) => Steps++;

        public override System.Text.Json.Nodes.JsonNode? SaveState() => new System.Text.Json.Nodes.JsonObject { ["steps"] = Steps };

        public override void LoadState(System.Text.Json.Nodes.JsonNode state) => Steps = state["steps"]!.GetValue<int>();

        public override IReadOnlyDictionary<string, Tensor>? SaveTensors() => new Dictionary<string, Tensor> { ["lossSum"] = LossSum! };

        public override void LoadTensors(IReadOnlyDictionary<string, Tensor> tensors)
        {
            LossSum?.Dispose();
            LossSum = tensors["lossSum"];
        }
    }

    [Fact]
    public void PluginsNestInListOrderAndTheAfterHooksRunInnermostFirst()
    {
        using var data = Classification(32);
        using var model = Classifier();
        var calls = new List<string>();
        var outer = new StepProbe("outer", calls);
        var inner = new StepProbe("inner", calls);

        model.Fit(data, Options(epochs: 1, batchSize: 32) with { Plugins = [outer, inner] });

        Assert.Equal(
            [
                "outer.OnTrainBegin", "inner.OnTrainBegin",
                "outer.Forward(0, step 0 of 1)", "inner.Forward(0, step 0 of 1)", "inner.Forward returned", "outer.Forward returned",
                "inner.OnAfterForward(0)", "outer.OnAfterForward(0)", "inner.OnAfterBackward(0)", "outer.OnAfterBackward(0)",
                "outer.OnBeforeOptimizerStep", "inner.OnBeforeOptimizerStep", "inner.OnAfterOptimizerStep", "outer.OnAfterOptimizerStep",
                "inner.OnTrainEnd", "outer.OnTrainEnd",
            ],
            calls.Where(c => !c.StartsWith("p.", StringComparison.Ordinal)));
    }

    [Fact]
    public void ALossTermAddedByAPluginTrainsLikeTheSameCompiledPenalty()
    {
        const double l2 = 0.01;
        using var data = Classification(256);
        using var compiled = Classifier(optimizer: OptimizerOptions.Sgd(0.1), options: new CompileOptions { L2 = l2 });
        using var plugged = Classifier(optimizer: OptimizerOptions.Sgd(0.1));
        using var plain = Classifier(optimizer: OptimizerOptions.Sgd(0.1));

        compiled.Fit(data, Options(epochs: 3));
        plugged.Fit(data, Options(epochs: 3) with { Plugins = [new L2Plugin(l2)] });
        plain.Fit(data, Options(epochs: 3));

        var expected = FlatParameters(compiled);
        var actual = FlatParameters(plugged);
        Assert.All(expected.Zip(actual), p => Assert.Equal(p.First, p.Second, 1e-5));
        Assert.False(SameWeights(Snapshot(plain), Snapshot(plugged)), "the plugin's loss term changed nothing");
    }

    [Fact]
    public void WithBFloat16TheGradientsOnTheFloat32WeightsIncludeTheL2Penalty()
    {
        const double l2 = 0.05;
        Dictionary<string, double[]> Gradients(double penalty, out Dictionary<string, double[]> weights)
        {
            using var data = Classification(64);
            using var model = Classifier(optimizer: OptimizerOptions.Sgd(0.1), options: new CompileOptions { L2 = penalty });
            weights = model.Network.named_parameters().ToDictionary(p => p.name, p => Values(p.parameter));
            var recorder = new GradientRecorder();
            model.Fit(data, Options(epochs: 1, batchSize: 64) with { Precision = Precision.BFloat16, Plugins = [recorder] });
            return recorder.Gradients;
        }

        var plain = Gradients(0, out var initial);
        var penalized = Gradients(l2, out _);

        foreach (var name in initial.Keys.Where(n => n.EndsWith("weight", StringComparison.Ordinal)))
        {
            var expected = initial[name].Select(w => 2 * l2 * w).ToArray();
            var actual = penalized[name].Zip(plain[name], (a, b) => a - b).ToArray();
            Assert.All(expected.Zip(actual), p => Assert.Equal(p.First, p.Second, 1e-5));
        }
    }

    [Fact]
    public void AnExplicitBFloat16PluginTrainsExactlyLikePrecisionBFloat16AndIsNotAddedTwice()
    {
        Dictionary<string, byte[]> Train(FitOptions options)
        {
            using var data = Classification(128);
            using var model = Classifier(dropout: 0.2);
            model.Fit(data, options);
            return Snapshot(model);
        }

        var byPrecision = Train(Options(epochs: 2) with { Precision = Precision.BFloat16 });
        var byPlugin = Train(Options(epochs: 2) with { Plugins = [new BFloat16Plugin()] });
        var both = Train(Options(epochs: 2) with { Precision = Precision.BFloat16, Plugins = [new BFloat16Plugin()] });
        var float32 = Train(Options(epochs: 2));

        AssertSameWeights(byPrecision, byPlugin);
        AssertSameWeights(byPrecision, both);
        Assert.False(SameWeights(byPrecision, float32));
    }

    [Fact]
    public void OnTrainEndRunsWhenTrainingEndsWithAnException()
    {
        using var data = Classification(64);
        using var model = Classifier();
        var probe = new StepProbe("p");
        static Tensor Poison(Tensor x) => x.fill_(double.NaN);

        Assert.Throws<TrainingDivergedException>(() => model.Fit(data, Options() with { Augment = Poison, Plugins = [probe] }));

        Assert.Equal("p.OnTrainEnd", probe.Calls[^1]);
    }

    [Fact]
    public void FitRefusesANullPluginBeforeAnyStep()
    {
        using var data = Classification(64);
        using var model = Classifier();

        var error = Assert.Throws<ArgumentException>(() => model.Fit(data, Options() with { Plugins = [null!] }));

        Assert.Contains("Plugins", error.Message);
    }

    private static double[] Values(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().to(ScalarType.Float64).reshape(-1).data<double>().ToArray();
    }

    /// <summary>Records every hook as "name.Hook(batch)", into its own list or a shared one.</summary>
    private sealed class StepProbe(string name, List<string>? shared = null) : StepPlugin
    {
        public List<string> Calls { get; } = shared ?? new();

        public override void OnTrainBegin(StepContext context) => Calls.Add($"{name}.OnTrainBegin");
        public override void OnTrainEnd(StepContext context) => Calls.Add($"{name}.OnTrainEnd");

        public override Tensor Forward(StepContext context, Tensor input, Func<Tensor, Tensor> next)
        {
            Calls.Add($"{name}.Forward({context.Batch}, step {context.Step} of {context.BatchesInStep})");
            var output = next(input);
            if (shared is not null)
                Calls.Add($"{name}.Forward returned");
            return output;
        }

        public override Tensor OnAfterForward(StepContext context, Tensor output, Tensor loss)
        {
            Calls.Add($"{name}.OnAfterForward({context.Batch})");
            return loss;
        }

        public override void OnAfterBackward(StepContext context) => Calls.Add($"{name}.OnAfterBackward({context.Batch})");
        public override void OnBeforeOptimizerStep(StepContext context) => Calls.Add($"{name}.OnBeforeOptimizerStep");
        public override void OnAfterOptimizerStep(StepContext context) => Calls.Add($"{name}.OnAfterOptimizerStep");
    }

    /// <summary>λ·Σw² over weight matrices, added to the loss: what CompileOptions.L2 does.</summary>
    private sealed class L2Plugin(double lambda) : StepPlugin
    {
        public override Tensor OnAfterForward(StepContext context, Tensor output, Tensor loss)
        {
            foreach (var (name, parameter) in context.TrainableParameters)
            {
                if (name.EndsWith("weight", StringComparison.Ordinal) && parameter.dim() > 1)
                    loss = loss + parameter.square().sum() * lambda;
            }
            return loss;
        }
    }

    /// <summary>The gradients of the first optimizer step, by parameter name.</summary>
    private sealed class GradientRecorder : StepPlugin
    {
        public Dictionary<string, double[]> Gradients { get; } = new();

        public override void OnBeforeOptimizerStep(StepContext context)
        {
            if (Gradients.Count > 0)
                return;
            foreach (var (name, parameter) in context.TrainableParameters)
            {
                using var grad = parameter.grad ?? throw new InvalidOperationException($"{name} has no gradient");
                Gradients[name] = Values(grad);
            }
        }
    }
}
