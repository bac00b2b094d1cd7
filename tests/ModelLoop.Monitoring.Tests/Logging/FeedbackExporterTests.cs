using ModelLoop.Artifacts;
using ModelLoop.Data.Readers;
using ModelLoop.Data.Versioning;
using ModelLoop.Monitoring.Logging;

namespace ModelLoop.Monitoring.Tests.Logging;

public sealed class FeedbackExporterTests : IDisposable
{
    private readonly LogFixtures _fixtures = new();
    private readonly PredictionLog _log;

    public FeedbackExporterTests() => _log = _fixtures.Open();

    public void Dispose() => _fixtures.Dispose();

    private string Out(string name) => Path.Combine(_fixtures.Folder, name);

    [Fact]
    public void RecordsAreExportedAsCsvWithTheLabelColumnAndTheNewestIntoTheHoldout()
    {
        // Ten labelled requests a minute apart (true class = minute % 3), one labelled without its input, one unlabelled.
        _log.Append([.. Enumerable.Range(0, 10).Select(m => LogFixtures.IrisRequest($"r{m}", m)),
            LogFixtures.IrisRequest("hashed", 20, storage: InputStorage.Hash), LogFixtures.IrisRequest("unlabelled", 21)]);
        for (var m = 0; m < 10; m++)
            _log.RecordFeedback($"r{m}", 0, new ItemFeedback { Class = m % 3 });
        _log.RecordFeedback("hashed", 0, new ItemFeedback { Class = 1 });

        var result = FeedbackExporter.Export(_log, new FeedbackExportOptions { Output = Out("export"), HoldoutNewest = 0.2 });

        var train = TabularReader.Read(result.Train);
        var holdout = TabularReader.Read(result.Holdout!);
        Assert.Equal(["sepal_length", "species_note", "label"], train.Columns);
        Assert.Equal(8, train.Count);
        Assert.Equal(["n8", "n9"], holdout.Rows.Select(r => r[1]));
        Assert.Equal(["virginica", "setosa"], holdout.Rows.Select(r => r[2]));
        Assert.Equal("versicolor", train.Rows[1][2]);
        Assert.Equal((8, 2, 1), (result.TrainItems, result.HoldoutItems, result.SkippedWithoutInput));
        var manifest = DatasetManifest.Load(result.ManifestPath);
        Assert.Equal(result.Manifest.Hash, manifest.Hash);
        Assert.Empty(manifest.Verify(result.Output));
        Assert.Equal(new Dictionary<string, int> { ["train"] = 8, ["holdout"] = 2 }, manifest.Counts);
        Assert.Equal("label", manifest.LabelColumn);
        Assert.Equal("iris", manifest.Notes["model"]);
        Assert.Equal(3, manifest.ClassBalance["train"]["setosa"]);
    }

    [Fact]
    public void TheSameFeedbackExportsToTheSameDatasetVersionAndNewFeedbackToAnother()
    {
        _log.Append([LogFixtures.IrisRequest("a", 0), LogFixtures.IrisRequest("b", 1)]);
        _log.RecordFeedback("a", 0, new ItemFeedback { Class = 1 });

        var first = FeedbackExporter.Export(_log, new FeedbackExportOptions { Output = Out("one") });
        var again = FeedbackExporter.Export(_log, new FeedbackExportOptions { Output = Out("two") });
        _log.RecordFeedback("b", 0, new ItemFeedback { Class = 2 });
        var more = FeedbackExporter.Export(_log, new FeedbackExportOptions { Output = Out("three") });

        Assert.Equal(first.Manifest.Hash, again.Manifest.Hash);
        Assert.NotEqual(first.Manifest.Hash, more.Manifest.Hash);
    }

    [Fact]
    public void ImagesAreExportedAsPngFoldersPerClassThatImageFolderReadsBack()
    {
        var pixels = Enumerable.Range(0, 4 * 6).Select(i => i / 23f).ToArray(); // one 1×4×6 grey image in [0, 1]
        var images = Enumerable.Range(0, 4).Select(i => new PredictionRecord
        {
            RequestId = $"img{i}", TenantId = "t", Model = "digits", Version = "1", Info = new LoggedModelInfo(ModelTask.Classification, 2, 2, ["cat", "dog"], null),
            TimeUtc = LogFixtures.T0.AddMinutes(i), Storage = InputStorage.Raw, Format = InputFormat.Image, ItemShape = [1, 4, 6],
            Items = [new ItemRecord([0f, 1f]) { InputValues = pixels }],
        }).ToArray();
        _log.Append(images);
        for (var i = 0; i < 4; i++)
            _log.RecordFeedback($"img{i}", 0, new ItemFeedback { Class = i % 2 });

        var result = FeedbackExporter.Export(_log, new FeedbackExportOptions { Output = Out("images"), Model = "digits", HoldoutNewest = 0.25 });

        using var train = ImageFolder.Load(result.Train, 4, 6, grayscale: true);
        Assert.Equal(InputFormat.Image, result.Format);
        Assert.Equal(["cat", "dog"], train.Classes);
        Assert.Equal([0L, 0L, 1L], train.Data.Labels.data<long>().ToArray().Order());
        var read = train.Data.Features[0].data<float>().ToArray();
        Assert.Equal(pixels.Select(p => MathF.Round(p * 255) / 255), read, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Single(Directory.GetFiles(Path.Combine(result.Holdout!, "dog")));
    }

    [Fact]
    public void AnExportWithoutAModelNameRefusesALogOfSeveralModelsAndNamesThem()
    {
        _log.Append([LogFixtures.IrisRequest("a", 0), LogFixtures.IrisRequest("b", 0) with { Model = "other" }]);

        var error = Assert.Throws<InvalidOperationException>(() => FeedbackExporter.Export(_log, new FeedbackExportOptions { Output = Out("x") }));

        Assert.Contains("iris, other", error.Message);
        Assert.False(Directory.Exists(Out("x")));
    }

    [Fact]
    public void AnExportRefusesAFolderThatHoldsFilesAndAHoldoutFractionOfOne()
    {
        Directory.CreateDirectory(Out("full"));
        File.WriteAllText(Path.Combine(Out("full"), "keep.txt"), "mine");

        var full = Assert.Throws<ArgumentException>(() => FeedbackExporter.Export(_log, new FeedbackExportOptions { Output = Out("full"), Model = "iris" }));
        var fraction = Assert.Throws<ArgumentException>(() => FeedbackExporter.Export(_log, new FeedbackExportOptions { Output = Out("new"), Model = "iris", HoldoutNewest = 1 }));

        Assert.Contains("not empty", full.Message);
        Assert.Contains("0 ≤ f < 1", fraction.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(Out("full"), "keep.txt")));
    }
}
