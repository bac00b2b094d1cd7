using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Modeling;

public sealed class FunctionalModelTests
{
    private static FunctionalModel ResidualGraph()
    {
        var input = Node.Input(1, 8, 8);
        // 16 channels: libtorch 2.10's multi-threaded CPU convolution backward can return NaN gradients for
        // convolutions with fewer input channels (docs/architecture.md, Known issues).
        var stem = input.Then(new Conv2D(16, 3, Activation.Relu, Padding: Padding.Same));
        var branch = stem.Then(new Conv2D(16, 3, Activation.Relu, Padding: Padding.Same)).Then(new Conv2D(16, 3, Padding: Padding.Same));
        var output = Node.Add(stem, branch).Then(new ActivationLayer(Activation.Relu)).Then(new Flatten()).Then(new Dense(3));
        return new FunctionalModel(input, output);
    }

    [Fact]
    public void ASkipConnectionGraphHasTheSameParametersAsTheEquivalentResidualStack()
    {
        using var graph = ResidualGraph();
        using var stack = new Sequential(1, 8, 8)
        {
            new Conv2D(16, 3, Activation.Relu, Padding: Padding.Same),
            new Residual([new Conv2D(16, 3, Activation.Relu, Padding: Padding.Same), new Conv2D(16, 3, Padding: Padding.Same)]),
            new Flatten(),
            new Dense(3),
        };

        Assert.Equal(stack.ParameterCount, graph.ParameterCount);
        Assert.Equal(new Shape(3), graph.OutputShape);
        using var output = graph.Predict(randn(5, 1, 8, 8));
        Assert.Equal([5L, 3L], output.shape);
    }

    [Fact]
    public void TheSummaryListsEveryNodeIncludingTheMerge()
    {
        using var model = ResidualGraph();

        var summary = model.Summary(TextWriter.Null);

        Assert.Contains("add_1 (Add)", summary);
        Assert.Contains("(None, 16, 8, 8)", summary);
        Assert.Contains("dense_1 (Dense)", summary);
    }

    [Fact]
    public void AddingBranchesOfDifferentShapesNamesTheNodeAndBothShapes()
    {
        var input = Node.Input(1, 8, 8);
        var a = input.Then(new Conv2D(4, 3, Padding: Padding.Same));
        var b = input.Then(new Conv2D(8, 3, Padding: Padding.Same));
        using var model = new FunctionalModel(input, Node.Add(a, b).Then(new Flatten()));

        var error = Assert.Throws<ModelBuildException>(() => model.Network);

        Assert.Contains("add_1", error.Message);
        Assert.Contains("(4, 8, 8)", error.Message);
        Assert.Contains("(8, 8, 8)", error.Message);
    }

    [Fact]
    public void ConcatenateJoinsChannels()
    {
        var input = Node.Input(2, 6, 6);
        var a = input.Then(new Conv2D(3, 1));
        var b = input.Then(new Conv2D(5, 3, Padding: Padding.Same));
        using var model = new FunctionalModel(input, Node.Concatenate(a, b, input));

        Assert.Equal(new Shape(10, 6, 6), model.OutputShape);
        using var output = model.Predict(randn(2, 2, 6, 6));
        Assert.Equal([2L, 10L, 6L, 6L], output.shape);
    }

    [Fact]
    public void AGraphSpecRoundTripsThroughJsonAndYamlToTheSameModel()
    {
        using var model = ResidualGraph();
        var json = model.ToSpec().ToJson();
        var yaml = model.ToSpec().ToYaml();

        using var fromJson = Model.FromSpec(ModelSpec.FromJson(json));
        using var fromYaml = Model.FromSpec(ModelSpec.FromYaml(yaml));

        Assert.IsType<FunctionalModel>(fromJson);
        Assert.Equal(json, fromJson.ToSpec().ToJson());
        Assert.Equal(json, fromYaml.ToSpec().ToJson());
        Assert.Equal(model.Summary(TextWriter.Null), fromYaml.Summary(TextWriter.Null));
    }

    [Fact]
    public void AGraphSpecThatReadsAnUndefinedNodeSaysWhichOne()
    {
        const string yaml = """
            inputShape: [4]
            graph:
            - name: hidden
              inputs: [input]
              layer: { type: Dense, units: 8 }
            - name: out
              inputs: [hiden]
              layer: { type: Dense, units: 2 }
            """;
        using var model = Model.FromSpec(ModelSpec.FromYaml(yaml));

        var error = Assert.Throws<ModelBuildException>(() => model.Network);

        Assert.Contains("'out'", error.Message);
        Assert.Contains("'hiden'", error.Message);
    }

    [Fact]
    public void AGraphModelTrainsAndResumesFromACheckpointLikeAStack()
    {
        random.manual_seed(5);
        using var data = new TensorDataset(randn(256, 1, 8, 8), randint(0, 3, 256));
        var labels = data.Features.mean([1, 2, 3]).gt(0).to(ScalarType.Int64) + data.Features[.., 0, 0, 0].gt(0).to(ScalarType.Int64);
        using var train = new TensorDataset(data.Features.clone(), labels);
        var folder = Directory.CreateTempSubdirectory("modelloop-functional-");
        try
        {
            random.manual_seed(1);
            using var model = ResidualGraph();
            model.Compile(OptimizerOptions.Adam(0.01), Loss.CrossEntropy(), ["accuracy"]);
            var checkpoint = Path.Combine(folder.FullName, "graph.ckpt");
            model.Fit(train, new FitOptions { Epochs = 2, BatchSize = 32, Seed = 3, Progress = ProgressMode.Silent, CheckpointPath = checkpoint });
            var history = model.Fit(train, new FitOptions { Epochs = 8, BatchSize = 32, Seed = 3, Progress = ProgressMode.Silent, CheckpointPath = checkpoint });

            Assert.Equal(2, history.ResumedFromEpoch);
            Assert.True(history["accuracy"][^1] > 0.8, $"training accuracy {history["accuracy"][^1]}");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void AForwardPassOutsideADisposeScopeLeavesOnlyTheOutputAlive()
    {
        using var model = ResidualGraph();
        using var input = randn(2, 1, 8, 8);
        using (no_grad())
            model.Network.forward(input).Dispose(); // warm-up: builds lazy state, if any
        var before = TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

        using (no_grad())
        {
            using var output = model.Network.forward(input);
            Assert.Equal(before + 1, TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount);
        }
    }

    [Fact]
    public void AnOutputThatDependsOnAnotherInputIsRejected()
    {
        var input = Node.Input(4);
        var other = Node.Input(4);

        var error = Assert.Throws<ModelBuildException>(() => new FunctionalModel(input, Node.Add(input.Then(new Dense(4)), other)));

        Assert.Contains("exactly one input", error.Message);
    }
}
