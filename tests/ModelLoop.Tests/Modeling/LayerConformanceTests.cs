using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Tests.Training;
using TorchSharp;
using static ModelLoop.Tests.Modeling.LayerConformance;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Modeling;

/// <summary>What every layer in the catalog must do; the samples are in <see cref="LayerConformance"/>.</summary>
public sealed class LayerConformanceTests
{
    [Fact]
    public void EveryLayerTypeInTheCatalogHasAConformanceSample()
    {
        var covered = Samples.Values.Select(s => s.Layer.GetType()).ToHashSet();

        var missing = LayerCatalog.Types.Where(t => !covered.Contains(t)).Select(t => t.Name).ToList();

        Assert.True(missing.Count == 0, $"Add a sample to LayerConformance.Samples for: {string.Join(", ", missing)}.");
    }

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(LayerConformance))]
    public void OutputShapeFromBuildEqualsTheShapeOfAForwardPassOnABatchOfThree(string sample)
    {
        var s = Samples[sample];
        using var model = Model(s);
        using var scope = NewDisposeScope();
        var input = Input(s, batch: 3);

        var trainOutput = model.Network.forward(input);
        model.Network.eval();
        var evalOutput = model.Network.forward(input);

        Assert.Equal(model.OutputShape.WithBatch(3), trainOutput.shape);
        Assert.Equal(model.OutputShape.WithBatch(3), evalOutput.shape);
        Assert.Equal(model.OutputShape, model.LayerSummaries[^1].OutputShape);
        Assert.Equal(ScalarType.Float32, evalOutput.dtype);
    }

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(LayerConformance))]
    public void ParameterCountEqualsTheHandComputedValue(string sample)
    {
        var s = Samples[sample];
        using var model = Model(s);

        Assert.Equal(s.Parameters, model.ParameterCount);
    }

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(LayerConformance))]
    public void ABackwardPassGivesEveryParameterAndRealValuedInputAFiniteGradient(string sample)
    {
        var s = Samples[sample];
        using var model = Model(s);
        using var scope = NewDisposeScope();
        var input = Input(s);
        if (s.Kind == InputKind.Float)
            input.requires_grad_(true);

        // One thread: libtorch 2.10's multi-threaded CPU convolution backward can return NaN input gradients
        // for convolutions with under 16 input channels, as the small samples here have (docs/architecture.md).
        var threads = get_num_threads();
        set_num_threads(1);
        try
        {
            model.Network.forward(input).square().sum().backward();
        }
        finally
        {
            set_num_threads(threads);
        }

        if (s.Kind == InputKind.Float)
            Assert.True(input.grad is not null && input.grad.isfinite().all().item<bool>(), "the input got no finite gradient: the layer breaks backpropagation");
        foreach (var (name, parameter) in model.Network.named_parameters())
        {
            Assert.True(parameter.grad is not null, $"Parameter '{name}' got no gradient: is it used in forward?");
            Assert.True(parameter.grad.isfinite().all().item<bool>(), $"Parameter '{name}' got a non-finite gradient.");
        }
    }

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(LayerConformance))]
    public void LayerRoundTripsThroughAJsonSpecToTheSameTextAndTheSameModel(string sample)
    {
        var s = Samples[sample];
        using var model = Model(s);
        var json = model.ToSpec().ToJson();

        var read = ModelSpec.FromJson(json);
        using var rebuilt = Sequential.FromSpec(read);

        Assert.Equal(json, read.ToJson());
        Assert.Equal(model.ParameterCount, rebuilt.ParameterCount);
        Assert.Equal(model.Summary(TextWriter.Null), rebuilt.Summary(TextWriter.Null));
    }

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(LayerConformance))]
    public void LayerRoundTripsThroughAYamlSpecToTheSameTextAndTheSameModel(string sample)
    {
        var s = Samples[sample];
        using var model = Model(s);
        var yaml = model.ToSpec().ToYaml();

        var read = ModelSpec.FromYaml(yaml);
        using var rebuilt = Sequential.FromSpec(read);

        Assert.Equal(yaml, read.ToYaml());
        Assert.Equal(model.ToSpec().ToJson(), read.ToJson());
        Assert.Equal(model.ParameterCount, rebuilt.ParameterCount);
        Assert.Equal(model.Summary(TextWriter.Null), rebuilt.Summary(TextWriter.Null));
    }

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(LayerConformance))]
    public void SavedWeightsLoadIntoAFreshModelAndGiveBitIdenticalOutputs(string sample)
    {
        var s = Samples[sample];
        using var folder = new TempFolder();
        using var input = Input(s, batch: 3);
        using var saved = Model(s, initSeed: 7);
        PerturbParametersAndBuffers(saved); // so deterministic initial values (LayerNorm, BatchNorm) are not all a fresh model needs
        using var expected = saved.Predict(input);
        saved.SaveWeights(folder.File("weights.bin"));
        using var fresh = Model(s, initSeed: 8);
        using var beforeLoading = fresh.Predict(input);
        var differedBefore = !Bytes(beforeLoading).AsSpan().SequenceEqual(Bytes(expected));

        fresh.LoadWeights(folder.File("weights.bin"));

        using var actual = fresh.Predict(input);
        Assert.True(Bytes(expected).AsSpan().SequenceEqual(Bytes(actual)), "outputs after LoadWeights differ from the saved model's");
        if (fresh.Network.parameters().Any())
            Assert.True(differedBefore, "a fresh model should differ from the saved one before loading, or the test proves nothing");
    }

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(LayerConformance))]
    public void TwoHundredForwardPassesInDisposeScopesLeaveNoLiveTensorsBehind(string sample)
    {
        var s = Samples[sample];
        using var model = Model(s);
        using var input = Input(s);
        var before = LiveTensors;
        var counts = new List<long>();

        for (var i = 0; i < 200; i++)
        {
            using (var scope = NewDisposeScope())
                model.Network.forward(input).sum().item<float>();
            counts.Add(LiveTensors);
        }

        Assert.True(counts.All(c => c == before), $"live tensors before {before}, after passes 1, 2, 100, 200: {counts[0]}, {counts[1]}, {counts[99]}, {counts[199]}");
    }

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(LayerConformance))]
    public void AForwardPassOutsideAnyScopeFreesItsIntermediatesSoOnlyTheOutputIsLeftToDispose(string sample)
    {
        var s = Samples[sample];
        using var model = Model(s);
        using var input = Input(s);
        var before = LiveTensors;

        for (var i = 0; i < 20; i++)
        {
            using var output = model.Network.forward(input);
            Assert.Equal(before + 1, LiveTensors);
        }

        Assert.Equal(before, LiveTensors);
    }

    /// <summary>Adds U(0, 0.1) noise to every floating-point parameter and buffer (variances stay positive).</summary>
    private static void PerturbParametersAndBuffers(Sequential model)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        torch.random.manual_seed(99);
        foreach (var (_, tensor) in model.Network.state_dict().Where(p => p.Value.is_floating_point()))
            tensor.add_(rand_like(tensor) * 0.1);
    }
}
