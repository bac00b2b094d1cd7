using System.Text;
using ModelLoop.Data.Anonymization;
using ModelLoop.Data.Inspection;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;
using ModelLoop.Data.Versioning;
using ModelLoop.Tests.Training;

namespace ModelLoop.Tests.Data.Versioning;

public sealed class DatasetPreparerTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Source()
    {
        var csv = new StringBuilder("email,size,color,label\n");
        for (var i = 0; i < 100; i++)
            csv.Append($"user{i}@example.com,{i % 17},{(i % 3 == 0 ? "red" : "blue")},{(i % 4 == 0 ? "cat" : "dog")}\n");
        csv.Append("user0@example.com,0,red,cat\n");   // a duplicate of row 0
        csv.Append("x@example.com,3,red,\n");           // unlabelled
        var path = _folder.File("pets.csv");
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    [Fact]
    public void PreparingWritesStratifiedSplitsThePipelineAndAManifestWhoseFilesVerify()
    {
        var prepared = DatasetPreparer.Prepare(Source(), _folder.File("v1"), new PrepareOptions { LabelColumn = "label", Seed = 3 });

        var manifest = DatasetManifest.Load(_folder.File("v1/manifest.json"));
        Assert.Equal(prepared.Manifest.Hash, manifest.Hash);
        Assert.Equal(new Dictionary<string, int> { ["train"] = 70, ["validation"] = 10, ["test"] = 20 }, manifest.Counts);
        Assert.Equal(new Dictionary<string, int> { ["cat"] = 5, ["dog"] = 15 }, manifest.ClassBalance["test"]);
        Assert.Equal("1", manifest.Notes["duplicatesRemoved"]);
        Assert.Equal("1", manifest.Notes["unlabelledRemoved"]);
        Assert.Equal(3, manifest.SplitSeeds["split"]);
        Assert.Empty(manifest.Verify(_folder.File("v1")));
        Assert.Equal(70, TabularReader.Read(_folder.File("v1/train.csv")).Count);
        var pipeline = PreprocessingPipeline.FromJson(manifest.Pipeline!.Value.GetRawText());
        Assert.Equal(prepared.Pipeline.FeatureNames, pipeline.FeatureNames);
    }

    [Fact]
    public void TheSameSourceSeedAndOptionsGiveTheSameHashAndAnotherSeedAnother()
    {
        var source = Source();

        var a = DatasetPreparer.Prepare(source, _folder.File("a"), new PrepareOptions { LabelColumn = "label", Seed = 1 }).Manifest;
        var b = DatasetPreparer.Prepare(source, _folder.File("b"), new PrepareOptions { LabelColumn = "label", Seed = 1 }).Manifest;
        var c = DatasetPreparer.Prepare(source, _folder.File("c"), new PrepareOptions { LabelColumn = "label", Seed = 2 }).Manifest;

        Assert.Equal(a.Hash, b.Hash);
        Assert.NotEqual(a.Hash, c.Hash);
        Assert.Matches("^[0-9a-f]{64}$", a.Hash);
    }

    [Fact]
    public void AnEditedManifestOrSplitFileIsDetected()
    {
        DatasetPreparer.Prepare(Source(), _folder.File("v"), new PrepareOptions { LabelColumn = "label" });
        var manifestPath = _folder.File("v/manifest.json");

        File.AppendAllText(_folder.File("v/test.csv"), "evil@example.com,1,red,cat\n");
        File.WriteAllText(manifestPath, File.ReadAllText(manifestPath).Replace("\"train\": 70", "\"train\": 71"));

        Assert.Contains("edited or is corrupt", Assert.Throws<InvalidDataException>(() => DatasetManifest.Load(manifestPath)).Message);
        var fresh = DatasetPreparer.Prepare(Source(), _folder.File("w"), new PrepareOptions { LabelColumn = "label" }).Manifest;
        File.AppendAllText(_folder.File("w/test.csv"), "x");
        Assert.Equal(["test.csv"], fresh.Verify(_folder.File("w")));
    }

    [Fact]
    public void AnonymizingBeforeSplittingKeepsPersonalDataOutOfEveryWrittenFile()
    {
        var prepared = DatasetPreparer.Prepare(Source(), _folder.File("anon"), new PrepareOptions
        {
            LabelColumn = "label",
            Anonymization = new AnonymizationOptions { Action = PiiAction.Pseudonymize, Key = new byte[32] },
        });

        Assert.Equal(102, prepared.Anonymization!.Total);   // every row read, before duplicates and unlabelled rows go
        foreach (var file in Directory.GetFiles(_folder.File("anon")))
            Assert.DoesNotContain("@example.com", File.ReadAllText(file));
        Assert.Contains(prepared.Manifest.Files, f => f.Path == "anonymization.json");
    }

    [Fact]
    public void TheSummaryAndPlotsDescribeTheTable()
    {
        var table = TabularReader.Read(Source());

        var summary = DatasetSummary.Of(table, "label");
        DatasetPlots.ClassBalance(summary, _folder.File("balance.png"));
        DatasetPlots.FeatureDistributions(summary, _folder.File("features.png"));

        Assert.Equal(102, summary.Rows);
        Assert.Equal(new Dictionary<string, int> { ["(missing)"] = 1, ["cat"] = 26, ["dog"] = 75 }, summary.ClassBalance);
        var size = summary.Columns.Single(c => c.Name == "size");
        Assert.Equal((0.0, 16.0), (size.Min!.Value, size.Max!.Value));
        Assert.Equal("blue", summary.Columns.Single(c => c.Name == "color").Top);
        foreach (var png in new[] { "balance.png", "features.png" })
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(_folder.File(png))[..4]);
    }
}
