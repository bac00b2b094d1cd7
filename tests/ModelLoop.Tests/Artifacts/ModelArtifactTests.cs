using System.Text;
using System.Text.Json.Nodes;
using ModelLoop.Tests.Training;
using ModelLoop.Artifacts;

namespace ModelLoop.Tests.Artifacts;

public sealed class ModelArtifactTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static ArtifactMetadata Metadata() => new()
    {
        Preprocessing = JsonNode.Parse("""{"steps":[{"type":"standardize","mean":[0.5,1.5],"std":[2.0,3.0]}]}"""),
        Metrics = new Dictionary<string, double> { ["test_accuracy"] = 0.875, ["test_loss"] = double.NaN },
        Lineage = new ArtifactLineage("sha256:abc", "run-1") { ParentModel = "iris/3" },
        Description = "a test model",
    };

    [Theory]
    [InlineData("artifact")]
    [InlineData("artifact.zip")]
    public void SavingThenLoadingGivesBitIdenticalPredictions(string name)
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);
        var before = ArtifactFixtures.PredictionBytes(model, data.Features);

        ModelArtifact.Save(model, _folder.File(name), Metadata());
        using var loaded = ModelArtifact.Load(_folder.File(name));

        Assert.Equal(before, ArtifactFixtures.PredictionBytes(loaded.Model, data.Features));
        Assert.Equal(model.ToSpec().ToJson(), loaded.Spec.ToJson());
    }

    [Fact]
    public void MetadataComesBackAsItWasSavedWithSchemasAndVersionsFilledIn()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);

        ModelArtifact.Save(model, _folder.File("a"), Metadata());
        using var loaded = ModelArtifact.Load(_folder.File("a"));

        var metadata = loaded.Metadata;
        Assert.Equal(Metadata().Preprocessing!.ToJsonString(), metadata.Preprocessing!.ToJsonString());
        Assert.Equal(0.875, metadata.Metrics["test_accuracy"]);
        Assert.True(double.IsNaN(metadata.Metrics["test_loss"]));
        Assert.Equal(("sha256:abc", "run-1", "iris/3"), (metadata.Lineage.DatasetManifestHash, metadata.Lineage.RunId, metadata.Lineage.ParentModel));
        Assert.Equal([6L], metadata.Input!.Shape);
        Assert.Equal("F32", metadata.Input.DType);
        Assert.Equal([3L], metadata.Output!.Shape);
        Assert.Contains("TorchSharp", metadata.LibraryVersions!.Keys);
        Assert.NotNull(metadata.CreatedUtc);
    }

    [Theory]
    [InlineData(ModelArtifact.WeightsFile)]
    [InlineData(ModelArtifact.ModelFile)]
    public void OneFlippedByteIsRefusedWithTheFileNamed(string file)
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);
        ModelArtifact.Save(model, _folder.File("a"), Metadata());
        var path = Path.Combine(_folder.File("a"), file);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => ModelArtifact.Load(_folder.File("a")));

        Assert.StartsWith($"Checksum check failed: {file}", error.Message);
        Assert.Contains("SHA-256", error.Message);
    }

    [Fact]
    public void WeightsReplacedTogetherWithTheirChecksumStillHaveToFitTheSpec()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);
        ModelArtifact.Save(model, _folder.File("a"), Metadata());
        using var other = new ModelLoop.Modeling.Sequential(6) { new ModelLoop.Modeling.Layers.Dense(4) };
        ModelArtifact.Save(other, _folder.File("b"));
        // A forger swaps the weights and fixes the manifest: the architecture check still catches it.
        File.Copy(Path.Combine(_folder.File("b"), ModelArtifact.WeightsFile), Path.Combine(_folder.File("a"), ModelArtifact.WeightsFile), overwrite: true);
        var manifestPath = Path.Combine(_folder.File("a"), ModelArtifact.ManifestFile);
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["files"]![ModelArtifact.WeightsFile]!["sha256"] = ModelArtifact.Sha256(File.ReadAllBytes(Path.Combine(_folder.File("a"), ModelArtifact.WeightsFile)));
        File.WriteAllText(manifestPath, manifest.ToJsonString());

        var error = Assert.Throws<InvalidDataException>(() => ModelArtifact.Load(_folder.File("a")));

        Assert.StartsWith(ModelArtifact.WeightsFile, error.Message);
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void AFileNotInTheManifestOrAMissingFileIsRefused()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);
        ModelArtifact.Save(model, _folder.File("a"), Metadata());
        File.WriteAllText(Path.Combine(_folder.File("a"), "payload.dll"), "MZ");

        var extra = Assert.Throws<InvalidDataException>(() => ModelArtifact.Load(_folder.File("a")));
        File.Delete(Path.Combine(_folder.File("a"), "payload.dll"));
        File.Delete(Path.Combine(_folder.File("a"), ModelArtifact.WeightsFile));
        var missing = Assert.Throws<InvalidDataException>(() => ModelArtifact.Load(_folder.File("a")));

        Assert.StartsWith("Manifest check failed: payload.dll", extra.Message);
        Assert.StartsWith($"Manifest check failed: {ModelArtifact.WeightsFile}", missing.Message);
    }

    [Fact]
    public void AnyCorruptionOfTheUncheckedManifestEitherLoadsOrIsRefusedAsInvalidData()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);
        ModelArtifact.Save(model, _folder.File("a"));
        var manifestPath = Path.Combine(_folder.File("a"), ModelArtifact.ManifestFile);
        var original = File.ReadAllBytes(manifestPath);
        var text = Encoding.UTF8.GetString(original);
        var random = new Random(5);
        var refused = 0;
        for (var trial = 0; trial < 150; trial++)
        {
            var bytes = (byte[])original.Clone();
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            if (trial % 3 == 0) // also values of the wrong JSON type
                bytes = Encoding.UTF8.GetBytes(text.Replace("\"formatVersion\": 1", "\"formatVersion\": \"1\"", StringComparison.Ordinal).Replace("\"sha256\": \"", "\"sha256\": 7, \"x\": \"", StringComparison.Ordinal));
            File.WriteAllBytes(manifestPath, bytes);
            try
            {
                ModelArtifact.Load(_folder.File("a")).Dispose();
            }
            catch (InvalidDataException)
            {
                refused++;
            }
        }

        Assert.True(refused > 50, $"only {refused} of 150 corrupted manifests were refused");
    }

    [Fact]
    public void ASchemaThatDisagreesWithTheModelIsRefusedAtSave()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);

        var error = Assert.Throws<InvalidDataException>(() => ModelArtifact.Save(model, _folder.File("a"), new ArtifactMetadata { Input = new TensorSchema([7], "F32") }));

        Assert.Contains("F32(7)", error.Message);
        Assert.False(Directory.Exists(_folder.File("a")));
    }

    [Fact]
    public void AManifestDifferentFromTheRecordedOneIsRefused()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);
        var sha = ModelArtifact.Save(model, _folder.File("a"));

        using (ModelArtifact.Load(_folder.File("a"), new ArtifactLoadOptions { ExpectedManifestSha256 = sha })) { }
        var error = Assert.Throws<InvalidDataException>(() => ModelArtifact.Load(_folder.File("a"), new ArtifactLoadOptions { ExpectedManifestSha256 = new string('0', 64) }));

        Assert.StartsWith($"Registered-manifest check failed: {ModelArtifact.ManifestFile}", error.Message);
    }

    [Fact]
    public void SavingOverAnExistingArtifactNeedsOverwriteAndThenReplacesIt()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);
        var first = ModelArtifact.Save(model, _folder.File("a"), new ArtifactMetadata { Description = "one" });

        Assert.Throws<InvalidOperationException>(() => ModelArtifact.Save(model, _folder.File("a")));
        var second = ModelArtifact.Save(model, _folder.File("a"), new ArtifactMetadata { Description = "two" }, new ArtifactSaveOptions { Overwrite = true });

        Assert.NotEqual(first, second);
        using var loaded = ModelArtifact.Load(_folder.File("a"));
        Assert.Equal("two", loaded.Metadata.Description);
        Assert.Equal(3, Directory.GetFiles(_folder.File("a")).Length);
        Assert.Single(Directory.GetFileSystemEntries(_folder.Path)); // no staging or backup folder left behind
    }
}
