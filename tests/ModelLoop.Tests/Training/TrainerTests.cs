using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Training;
using TorchSharp;
using static ModelLoop.Tests.Training.TrainingFixtures;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Training;

public sealed class TrainerTests
{
    [Fact]
    public void FitReducesTheLossOnALearnableTask()
    {
        using var data = Classification(512, seed: 1);
        using var model = Classifier();
        var before = model.Evaluate(data);

        var history = model.Fit(data, Options(epochs: 8));

        var after = model.Evaluate(data);
        Assert.Equal(8, history.Epochs.Count);
        Assert.True(after["loss"] < before["loss"] / 2, $"loss went from {before["loss"]} to {after["loss"]}");
        Assert.True(after["accuracy"] > 0.9, $"accuracy after training is {after["accuracy"]}");
        Assert.True(history["loss"][^1] < history["loss"][0]);
    }

    [Fact]
    public void FitWithTheSameSeedsEndsWithBitIdenticalWeights()
    {
        Dictionary<string, byte[]> Train(long fitSeed)
        {
            using var data = Classification(256, seed: 1);
            using var model = Classifier(initSeed: 7, dropout: 0.3);
            model.Fit(data, Options(epochs: 3, seed: fitSeed));
            return Snapshot(model);
        }

        var first = Train(fitSeed: 11);
        var second = Train(fitSeed: 11);
        var otherSeed = Train(fitSeed: 12);

        AssertSameWeights(first, second);
        Assert.False(SameWeights(first, otherSeed), "a different Fit seed (shuffling, dropout) should give different weights");
    }

    [Fact]
    public void FitWithoutASeedRecordsTheSeedItDrewAndThatSeedReproducesTheRun()
    {
        using var data = Classification(128);
        using var first = Classifier(dropout: 0.3);
        var history = first.Fit(data, Options() with { Seed = null });
        using var second = Classifier(dropout: 0.3);

        second.Fit(data, Options() with { Seed = history.Seed });

        Assert.NotEqual(0, history.Seed);
        AssertSameWeights(Snapshot(first), Snapshot(second));
    }

    [Fact]
    public void FitWithoutCompileThrowsAnInvalidOperationExceptionThatSaysToCallCompile()
    {
        using var data = Classification(64);
        using var model = new Sequential(4) { new Dense(3) };

        var error = Assert.Throws<InvalidOperationException>(() => model.Fit(data, Options()));

        Assert.Contains("Compile", error.Message);
    }

    [Fact]
    public void FitOnEmptyDataThrowsBeforeAnyStep()
    {
        using var data = new TensorDataset(zeros(0, 4), zeros(new long[] { 0 }, ScalarType.Int64));
        using var model = Classifier();
        var probe = new HookProbe();

        var error = Assert.Throws<ArgumentException>(() => model.Fit(data, Options(), callbacks: [probe]));

        Assert.Contains("empty", error.Message);
        Assert.Contains("0 samples", error.Message);
        Assert.Empty(probe.Calls);
    }

    [Fact]
    public void FitOnFeaturesOfTheWrongShapeNamesBothShapesAndTheFirstLayerBeforeAnyStep()
    {
        using var data = Classification(64, features: 5);
        using var model = Classifier(features: 4);
        var before = Snapshot(model);
        var probe = new HookProbe();

        var error = Assert.Throws<ModelBuildException>(() => model.Fit(data, Options(), callbacks: [probe]));

        Assert.Contains("(5)", error.Message);
        Assert.Contains("(4)", error.Message);
        Assert.Contains(model.LayerSummaries[0].Name, error.Message);
        Assert.Empty(probe.Calls);
        AssertSameWeights(before, Snapshot(model));
    }

    [Fact]
    public void FitWithLabelsOutsideTheClassRangeGivesTheRangeAndTheClassCountBeforeAnyStep()
    {
        using var features = randn(8, 4);
        using var data = new TensorDataset(features.clone(), tensor(new long[] { 0, 1, 2, 0, 1, 5, 2, 0 }));
        using var model = Classifier(classes: 3);
        var before = Snapshot(model);

        var error = Assert.Throws<ArgumentException>(() => model.Fit(data, Options()));

        Assert.Contains("[0, 2]", error.Message);
        Assert.Contains("3 outputs", error.Message);
        Assert.Contains("from 0 to 5", error.Message);
        AssertSameWeights(before, Snapshot(model));
    }

    [Fact]
    public void FitOnFloat64FeaturesSaysWhichDtypeTheModelTakesBeforeAnyStep()
    {
        using var floats = Classification(64);
        using var data = new TensorDataset(floats.Features.to(ScalarType.Float64), floats.Labels.clone());
        using var model = Classifier();
        var before = Snapshot(model);

        var error = Assert.Throws<ArgumentException>(() => model.Fit(data, Options()));

        Assert.Contains("Float64", error.Message);
        Assert.Contains("Float32", error.Message);
        AssertSameWeights(before, Snapshot(model));
    }

    [Fact]
    public void FitWithInt32ClassLabelsAsksForInt64BeforeAnyStep()
    {
        using var longs = Classification(64);
        using var data = new TensorDataset(longs.Features.clone(), longs.Labels.to(ScalarType.Int32));
        using var model = Classifier();

        var error = Assert.Throws<ArgumentException>(() => model.Fit(data, Options()));

        Assert.Contains("int64", error.Message);
        Assert.Contains("Int32", error.Message);
    }

    [Fact]
    public void BinaryCrossEntropyRejectsLabelsOtherThanZeroAndOneBeforeAnyStep()
    {
        using var features = randn(6, 4);
        using var data = new TensorDataset(features.clone(), tensor(new float[] { 0, 1, 2, 0, 1, 1 }));
        using var model = new Sequential(4) { new Dense(1, Activation.Sigmoid) };
        BuildSeeded(model, initSeed: 7);
        model.Compile("sgd", Loss.BinaryCrossEntropy());

        var error = Assert.Throws<ArgumentException>(() => model.Fit(data, Options()));

        Assert.Contains("0 or 1", error.Message);
        Assert.Contains("from 0 to 2", error.Message);
    }

    [Fact]
    public void MeanSquaredErrorRejectsTargetsThatDoNotMatchTheOutputBeforeAnyStep()
    {
        using var features = randn(6, 4);
        using var data = new TensorDataset(features.clone(), zeros(6, 3));
        using var model = new Sequential(4) { new Dense(2) };
        BuildSeeded(model, initSeed: 7);
        model.Compile("sgd", "mse");

        var error = Assert.Throws<ArgumentException>(() => model.Fit(data, Options()));

        Assert.Contains("2 target value(s)", error.Message);
        Assert.Contains("[6, 3]", error.Message);
    }

    [Fact]
    public void PredictRejectsInputsOfTheWrongShapeNamingBothShapes()
    {
        using var model = Classifier(features: 4);
        using var x = randn(3, 5);

        var error = Assert.Throws<ModelBuildException>(() => model.Predict(x));

        Assert.Contains("(N, 4)", error.Message);
        Assert.Contains("[3, 5]", error.Message);
    }

    [Fact]
    public async Task PredictRejectsABatchSizeBelowOneInsteadOfLoopingForever()
    {
        using var model = Classifier(features: 4);
        using var x = randn(3, 4);

        var predict = Task.Run(() => Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict(x, batchSize: 0)));
        var error = await predict.WaitAsync(TimeSpan.FromSeconds(30)); // before the fix: an endless loop of empty batches
        Assert.Contains("received 0", error.Message);
    }

    [Fact]
    public void FitRejectsAValidationBatchSizeBelowOneBeforeTheFirstStep()
    {
        using var data = Classification(64);
        using var model = Classifier();
        var batches = 0;
        Tensor Count(Tensor x) { batches++; return x; }

        var error = Assert.Throws<ArgumentException>(() =>
            model.Fit(data, Options() with { ValidationBatchSize = 0, Augment = Count }, validation: data));

        Assert.Contains("ValidationBatchSize", error.Message);
        Assert.Equal(0, batches);
    }

    [Fact]
    public void NaNInTheInputsThrowsTrainingDivergedExceptionNamingTheEpochAndBatch()
    {
        using var data = Classification(128); // 4 batches of 32
        using var model = Classifier();
        var batchesSeen = 0;
        // The 6th batch overall is epoch 2, batch 2.
        Tensor PoisonSixthBatch(Tensor x) => ++batchesSeen == 6 ? x.fill_(double.NaN) : x;

        var error = Assert.Throws<TrainingDivergedException>(() =>
            model.Fit(data, Options(epochs: 3) with { Augment = PoisonSixthBatch }));

        Assert.Contains("epoch 2, batch 2", error.Message);
        Assert.Contains("NaN", error.Message);
    }

    [Theory]
    [InlineData(0.01, 0.0)]
    [InlineData(0.0, 0.01)]
    public void RegularizationShrinksTheWeightsComparedWithNone(double l1, double l2)
    {
        double KernelNorm(CompileOptions? options)
        {
            using var data = Classification(256);
            using var model = Classifier(optimizer: OptimizerOptions.Sgd(0.1), options: options);
            model.Fit(data, Options(epochs: 5));
            using var scope = NewDisposeScope();
            var kernels = model.Network.named_parameters().Where(p => p.name.EndsWith("weight", StringComparison.Ordinal));
            return Norm(kernels.SelectMany(p => p.parameter.detach().to(ScalarType.Float64).reshape(-1).data<double>().ToArray()));
        }

        var plain = KernelNorm(null);
        var regularized = KernelNorm(new CompileOptions { L1 = l1, L2 = l2 });

        Assert.True(regularized < plain * 0.95, $"kernel norm with L1={l1}, L2={l2}: {regularized}; without: {plain}");
    }

    // Regression: with bfloat16 the penalty was computed on the float32 master weights, but the gradients copied
    // from the bfloat16 copy replaced the master's, so L1/L2 were silently dropped.
    [Theory]
    [InlineData(0.01, 0.0)]
    [InlineData(0.0, 0.01)]
    public void RegularizationShrinksTheWeightsInBFloat16AsInFloat32(double l1, double l2)
    {
        double KernelNorm(CompileOptions? options)
        {
            using var data = Classification(256);
            using var model = Classifier(optimizer: OptimizerOptions.Sgd(0.1), options: options);
            model.Fit(data, Options(epochs: 5) with { Precision = Precision.BFloat16 });
            using var scope = NewDisposeScope();
            var kernels = model.Network.named_parameters().Where(p => p.name.EndsWith("weight", StringComparison.Ordinal));
            return Norm(kernels.SelectMany(p => p.parameter.detach().to(ScalarType.Float64).reshape(-1).data<double>().ToArray()));
        }

        var plain = KernelNorm(null);
        var regularized = KernelNorm(new CompileOptions { L1 = l1, L2 = l2 });

        Assert.True(regularized < plain * 0.95, $"bf16 kernel norm with L1={l1}, L2={l2}: {regularized}; without: {plain}");
    }

    [Fact]
    public void ClippingByNormBoundsTheUpdateOfOneSgdStep()
    {
        const double clip = 0.01;
        double UpdateNorm(CompileOptions? options)
        {
            using var data = Classification(64);
            using var model = Classifier(optimizer: OptimizerOptions.Sgd(learningRate: 1.0), options: options);
            var before = FlatParameters(model);
            model.Fit(data, Options(epochs: 1, batchSize: 64)); // one step: update = −lr · clipped gradient
            return Norm(FlatParameters(model).Zip(before, (a, b) => a - b));
        }

        var unclipped = UpdateNorm(null);
        var clipped = UpdateNorm(new CompileOptions { ClipGradientNorm = clip });

        Assert.True(unclipped > 10 * clip, $"the unclipped update ({unclipped}) should be far larger than the clip norm");
        Assert.True(clipped <= clip * 1.001, $"the clipped update has norm {clipped}, above {clip}");
        Assert.True(clipped >= clip * 0.99, $"the clipped update has norm {clipped}; a gradient larger than the bound is rescaled to it");
    }

    [Fact]
    public void ClippingByValueBoundsEveryComponentOfOneSgdStep()
    {
        const double clip = 1e-3;
        using var data = Classification(64);
        using var model = Classifier(optimizer: OptimizerOptions.Sgd(learningRate: 1.0), options: new CompileOptions { ClipGradientValue = clip });
        var before = FlatParameters(model);

        model.Fit(data, Options(epochs: 1, batchSize: 64));

        var updates = FlatParameters(model).Zip(before, (a, b) => Math.Abs(a - b)).ToArray();
        Assert.All(updates, u => Assert.True(u <= clip * 1.001, $"update {u} exceeds {clip}"));
        Assert.Contains(updates, u => u >= clip * 0.999);
    }

    public static TheoryData<string> OptimizerNames => ["sgd", "adam", "adamw", "rmsprop"];

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void EveryOptimizerNamedByStringTrains(string name)
    {
        using var data = Classification(256);
        using var model = Classifier();
        model.Compile(name, "cross_entropy", ["accuracy"]);
        AssertTrains(model, data);
    }

    public static TheoryData<string> OptimizerObjects => ["sgd+momentum+nesterov", "adam", "adamw", "rmsprop+momentum"];

    [Theory]
    [MemberData(nameof(OptimizerObjects))]
    public void EveryOptimizerGivenAsAnObjectTrains(string which)
    {
        var optimizer = which switch
        {
            "sgd+momentum+nesterov" => OptimizerOptions.Sgd(learningRate: 0.05, momentum: 0.9, nesterov: true),
            "adam" => OptimizerOptions.Adam(learningRate: 0.01),
            "adamw" => OptimizerOptions.AdamW(learningRate: 0.01, weightDecay: 0.05),
            "rmsprop+momentum" => OptimizerOptions.RmsProp(learningRate: 0.005, momentum: 0.5),
            _ => throw new ArgumentOutOfRangeException(nameof(which), which, null),
        };
        using var data = Classification(256);
        using var model = Classifier(optimizer: optimizer);
        AssertTrains(model, data);
    }

    [Fact]
    public void PredictRunsInEvalModeAndRestoresTrainMode()
    {
        using var model = Classifier(dropout: 0.5);
        using var generator = new Generator().manual_seed(3);
        using var x = randn(16, 4, generator: generator);
        model.Network.train();

        using var first = model.Predict(x, batchSize: 5);
        using var second = model.Predict(x, batchSize: 5);

        Assert.True(model.Network.training, "Predict should put back the train mode it found");
        using var expected = EvalForward(model, x);
        Assert.True(first.Equals(second), "two Predict calls differ: dropout was active");
        Assert.True(first.allclose(expected, rtol: 1e-5, atol: 1e-6), "Predict output differs from an eval-mode forward pass");
    }

    [Fact]
    public void PredictLeavesAModelInEvalModeInEvalMode()
    {
        using var model = Classifier(dropout: 0.5);
        using var x = randn(4, 4);
        model.Network.eval();

        using var _ = model.Predict(x);

        Assert.False(model.Network.training);
    }

    [Fact]
    public void EvaluateRunsInEvalModeAndRestoresThePreviousMode()
    {
        using var data = Classification(40);
        using var model = Classifier(dropout: 0.5);
        model.Network.train();

        var first = model.Evaluate(data, batchSize: 16);
        var second = model.Evaluate(data, batchSize: 16);

        Assert.True(model.Network.training);
        using var output = EvalForward(model, data.Features);
        using var loss = nn.functional.cross_entropy(output, data.Labels);
        Assert.Equal(first["loss"], second["loss"]);
        Assert.Equal(loss.item<float>(), first["loss"], 5);

        model.Network.eval();
        model.Evaluate(data);
        Assert.False(model.Network.training);
    }

    [Fact]
    public void BFloat16PrecisionTrainsAboutAsWellAsFloat32AndKeepsFloat32MasterWeights()
    {
        (double Accuracy, Sequential Model) Train(Precision precision)
        {
            using var data = Classification(512, seed: 1);
            var model = Classifier(initSeed: 7);
            model.Fit(data, Options(epochs: 8) with { Precision = precision });
            return (model.Evaluate(data)["accuracy"], model);
        }

        var (float32, float32Model) = Train(Precision.Float32);
        var (bfloat16, bfloat16Model) = Train(Precision.BFloat16);
        using (float32Model)
        using (bfloat16Model)
        {
            Assert.True(bfloat16 > 0.85, $"bf16 accuracy {bfloat16}");
            Assert.True(Math.Abs(bfloat16 - float32) < 0.05, $"bf16 accuracy {bfloat16} vs fp32 {float32}");
            Assert.All(bfloat16Model.Network.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
            Assert.False(SameWeights(Snapshot(float32Model), Snapshot(bfloat16Model)), "bf16 training should not be bit-identical to fp32");
        }
    }

    [Fact]
    public void PrefetchingBatchesChangesNothingInTheResult()
    {
        Dictionary<string, byte[]> Train(int prefetch)
        {
            using var data = Classification(200);
            using var model = Classifier(dropout: 0.3);
            model.Fit(data, Options(epochs: 3, batchSize: 32) with { Prefetch = prefetch });
            return Snapshot(model);
        }

        AssertSameWeights(Train(0), Train(2));
    }

    private static Tensor EvalForward(Sequential model, Tensor x)
    {
        var wasTraining = model.Network.training;
        model.Network.eval();
        using var _ = no_grad();
        var output = model.Network.forward(x);
        model.Network.train(wasTraining);
        return output;
    }

    private static void AssertTrains(Sequential model, TensorDataset data)
    {
        var before = model.Evaluate(data)["loss"];
        model.Fit(data, Options(epochs: 5));
        var after = model.Evaluate(data)["loss"];
        Assert.True(after < before * 0.95, $"loss went from {before} to {after}");
    }
}
