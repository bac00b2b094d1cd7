using System.Text.Json;
using ModelLoop.Artifacts;
using ModelLoop.Data;
using ModelLoop.Loop;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Tests.Loop;
using ModelLoop.Tests.Training;
using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Artifacts;

public sealed class ReferenceProfileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void ATrainedTablePackageCarriesSummariesOfItsNumericAndCategoricalColumnsAndItsHeldOutPredictions()
    {
        var result = TrainingJob.Run(new TrainingConfig
        {
            Model = new ModelConfig { Zoo = "mlp", Hidden = [8] },
            Data = new DataConfig { Source = LoopData.MixedCsv(_folder.Path), Label = "label", Validation = 0.2, Test = 0.2, SplitSeed = 4 },
            Epochs = 2,
            BatchSize = 16,
            Seed = 1,
        }, new TrainingJobOptions { OutputDirectory = _folder.File("run"), Track = false, Progress = ProgressMode.Silent });

        using var package = ModelPackage.Load(result.PackagePath);
        var reference = package.Metadata.Reference!;
        Assert.Equal("validation", reference.Source);
        Assert.Equal(180, reference.Rows); // 300 rows − 20% test − 20% validation
        var x = Assert.Single(reference.Features, f => f.Name == "x");
        Assert.Equal(FeatureKind.Numeric, x.Kind);
        Assert.InRange(x.MissingFraction, 0.08, 0.2); // every 7th cell is empty
        Assert.Equal(x.Sample!.Order(), x.Sample);
        Assert.InRange(x.Quantiles![0], 0, 0.1);
        Assert.InRange(x.Quantiles[^1], 1.9, 2);
        var colour = Assert.Single(reference.Features, f => f.Name == "colour");
        Assert.Equal(["blue", "green", "red"], colour.Counts!.Keys.Order());
        Assert.Equal(180, colour.Counts.Values.Sum());
        Assert.DoesNotContain(reference.Features, f => f.Name == "day"); // dates are not monitored feature by feature
        Assert.Null(reference.Embeddings); // tables are monitored by their columns
        Assert.Equal(1.0, reference.PredictedClassFrequencies!.Sum(), 9);
        Assert.Equal(60, reference.Confidence!.Length);
        Assert.All(reference.Confidence, c => Assert.InRange(c, 0.5, 1));
        Assert.InRange(reference.Accuracy!.Value, 0, 1);
    }

    [Fact]
    public void AReferenceSourceReplacesTheTrainingDataAsWhatMonitoringComparesWith()
    {
        // Recent traffic: the same columns with x moved to [5, 7) and only blue rows.
        var recent = _folder.File("recent.csv");
        File.WriteAllLines(recent, new[] { "x,colour,day,label" }.Concat(Enumerable.Range(0, 120).Select(i =>
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{5 + i / 60.0:F3},blue,2024-06-01,{(i % 2 == 0 ? "yes" : "no")}"))));

        var result = TrainingJob.Run(new TrainingConfig
        {
            Model = new ModelConfig { Zoo = "mlp", Hidden = [8] },
            Data = new DataConfig { Source = LoopData.MixedCsv(_folder.Path), Label = "label", SplitSeed = 4 },
            Epochs = 1,
            Seed = 1,
        }, new TrainingJobOptions { OutputDirectory = _folder.File("run"), Track = false, Progress = ProgressMode.Silent, ReferenceSource = recent });

        using var package = ModelPackage.Load(result.PackagePath);
        var reference = package.Metadata.Reference!;
        Assert.Equal("reference source", reference.Source);
        Assert.Equal(120, reference.Rows);
        Assert.InRange(reference.Features.Single(f => f.Name == "x").Mean!.Value, 5.9, 6.1);
        Assert.Equal(["blue"], reference.Features.Single(f => f.Name == "colour").Counts!.Keys);
        Assert.Equal(120, reference.Confidence!.Length);
    }

    [Fact]
    public void ALiveRecordIsReadIntoTheSameFeaturesAsTheReference()
    {
        var result = TrainingJob.Run(new TrainingConfig
        {
            Model = new ModelConfig { Zoo = "mlp", Hidden = [8] },
            Data = new DataConfig { Source = LoopData.MixedCsv(_folder.Path), Label = "label", SplitSeed = 4 },
            Epochs = 1,
            Seed = 1,
        }, new TrainingJobOptions { OutputDirectory = _folder.File("run"), Track = false, Progress = ProgressMode.Silent });
        using var package = ModelPackage.Load(result.PackagePath);
        var monitor = ItemMonitor.For(package)!;
        using var record = JsonDocument.Parse("""{"x": 1.25, "colour": "green", "day": "2024-03-01"}""");
        var input = package.EncodeRecord(record.RootElement);
        using var outputs = package.Model.Predict(tensor(input, [1, input.Length]));

        var item = monitor.Extract(record.RootElement, input, null, outputs.data<float>().ToArray());

        Assert.Equal(1.25, item.Numeric["x"]);
        Assert.Equal("green", item.Categorical["colour"]);
        Assert.Equal(package.Predict(tensor(input, [1, input.Length]))[0].Class, item.PredictedClass);
        Assert.InRange(item.Confidence!.Value, 0.5, 1);
        Assert.Null(item.Embedding);
        using var missing = JsonDocument.Parse("""{"x": null, "colour": "NA", "day": null}""");
        var empty = monitor.Extract(missing.RootElement, input, null, outputs.data<float>().ToArray());
        Assert.Null(empty.Numeric["x"]);
        Assert.Null(empty.Categorical["colour"]);
    }

    [Fact]
    public void AnImageModelsReferenceHoldsBrightnessContrastAndHeldOutEmbeddingsOfItsPenultimateLayer()
    {
        using var model = new Sequential(1, 8, 8) { new Conv2D(4, 3, Activation.Relu), new Flatten(), new Dense(6, Activation.Relu), new Dense(3) };
        random.manual_seed(2);
        using var train = new TensorDataset(rand(50, 1, 8, 8), randint(0, 3, [50]));
        using var heldOut = new TensorDataset(rand(20, 1, 8, 8) * 0.5, randint(0, 3, [20]));
        var info = new PackageInfo { Task = ModelTask.Classification, OutputWidth = 3 };

        var reference = ReferenceProfileBuilder.Build(model, info, train, null, heldOut, "test", seed: 3);

        Assert.Equal(["brightness", "contrast"], reference.Features.Select(f => f.Name));
        Assert.InRange(reference.Features[0].Mean!.Value, 0.45, 0.55); // uniform [0, 1) pixels
        Assert.Equal(50, reference.Features[0].Sample!.Length);
        Assert.Equal(6, reference.Embeddings!.Dimensions); // the input of the last Dense
        Assert.Equal(20, reference.Embeddings.Sample.Length);
        // The embedding is what the head reads: the head applied to it gives the model's outputs.
        using var image = heldOut.Features[..1];
        using var _ = no_grad();
        model.Network.eval();
        var (outputs, embedding) = model.ForwardWithEmbedding(image);
        Assert.All(reference.Embeddings.Sample[0].Zip(embedding.data<float>().ToArray()), p => Assert.Equal(p.First, p.Second, 5));
        Assert.True(outputs.allclose(model.Network.forward(image)));
    }

    [Fact]
    public void TheEmbeddingSampleIsDrawnFromAllHeldOutRowsNotTheFirstOnesWhenTheyComeInClassOrder()
    {
        using var model = new Sequential(4) { new Dense(3, Activation.Relu), new Dense(2) };
        random.manual_seed(5);
        // 1,000 held-out rows sorted by class, as an image folder is read: the first 500 of class 0, then class 1.
        using var heldOut = new TensorDataset(cat([zeros(500, 4), ones(500, 4)], 0), cat([zeros(500, ScalarType.Int64), ones(500, ScalarType.Int64)], 0));
        using var train = new TensorDataset(rand(20, 4), randint(0, 2, [20]));
        var info = new PackageInfo { Task = ModelTask.Classification, OutputWidth = 2 };

        var reference = ReferenceProfileBuilder.Build(model, info, train, null, heldOut, "test", seed: 1);

        using var _ = no_grad();
        var secondClass = model.ForwardWithEmbedding(ones(1, 4)).Embedding.data<float>().ToArray();
        var fromSecondClass = reference.Embeddings!.Sample.Count(e => e.Zip(secondClass).All(p => Math.Abs(p.First - p.Second) < 1e-5));
        Assert.Equal(ReferenceProfileBuilder.EmbeddingSampleSize, reference.Embeddings.Sample.Length);
        Assert.InRange(fromSecondClass, 150, 250); // about half, not none
    }

    [Fact]
    public void AFunctionalModelsEmbeddingIsTheInputOfItsLastLayerWithParameters()
    {
        var input = Node.Input(4);
        var hidden = input.Then(new Dense(5, Activation.Relu));
        var output = Node.Add(hidden, input.Then(new Dense(5))).Then(new Dense(2));
        using var model = new FunctionalModel(input, output);
        random.manual_seed(4);
        using var x = randn(3, 4);
        using var _ = no_grad();

        var (outputs, embedding) = model.ForwardWithEmbedding(x);

        Assert.Equal([3L, 5L], embedding.shape);
        Assert.True(outputs.allclose(model.Network.forward(x)));
    }

    [Fact]
    public void AReferenceProfileSurvivesTheArtifactRoundTrip()
    {
        using var model = new Sequential(3) { new Dense(2) };
        var profile = new ReferenceProfile
        {
            Rows = 10,
            Features = [new FeatureReference { Name = "x0", Sample = [0.5, 1.5], Quantiles = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }],
            Embeddings = new EmbeddingReference(2, [[1f, 2f]]),
            Confidence = [0.75],
        };
        var path = _folder.File("artifact");
        ModelArtifact.Save(model, path, new ArtifactMetadata { Reference = profile });

        using var loaded = ModelArtifact.Load(path);

        var read = loaded.Metadata.Reference!;
        Assert.Equal([0.5, 1.5], read.Features[0].Sample!);
        Assert.Equal([1f, 2f], read.Embeddings!.Sample[0]);
        Assert.Equal([0.75], read.Confidence!);
    }
}
