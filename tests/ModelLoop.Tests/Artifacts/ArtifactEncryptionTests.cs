using System.Text;
using ModelLoop.Tests.Training;
using ModelLoop.Artifacts;

namespace ModelLoop.Tests.Artifacts;

public sealed class ArtifactEncryptionTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void AnEncryptedArtifactLoadsWithItsKeyAndGivesTheSamePredictions()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);
        var key = ArtifactEncryptionKey.Generate();

        ModelArtifact.Save(model, _folder.File("a.zip"), new ArtifactMetadata { Description = "secret-description" }, new ArtifactSaveOptions { EncryptionKey = key });
        using var loaded = ModelArtifact.Load(_folder.File("a.zip"), new ArtifactLoadOptions { EncryptionKey = ArtifactEncryptionKey.FromFile(WriteKeyFile(key)) });

        Assert.Equal(ArtifactFixtures.PredictionBytes(model, data.Features), ArtifactFixtures.PredictionBytes(loaded.Model, data.Features));
        Assert.Equal("secret-description", loaded.Metadata.Description);
    }

    [Fact]
    public void TheEncryptedFilesHoldNoReadableModelJson()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);

        ModelArtifact.Save(model, _folder.File("a"), new ArtifactMetadata { Description = "secret-description" }, new ArtifactSaveOptions { EncryptionKey = ArtifactEncryptionKey.Generate() });

        var text = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(_folder.File("a"), ModelArtifact.ModelFile)));
        Assert.DoesNotContain("secret-description", text);
        Assert.DoesNotContain("Dense", text);
    }

    [Fact]
    public void AWrongKeyOrNoKeyGivesAClearErrorInsteadOfWeights()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);
        var key = ArtifactEncryptionKey.Generate();
        ModelArtifact.Save(model, _folder.File("a"), options: new ArtifactSaveOptions { EncryptionKey = key });

        var wrong = Assert.Throws<InvalidDataException>(() => ModelArtifact.Load(_folder.File("a"), new ArtifactLoadOptions { EncryptionKey = ArtifactEncryptionKey.Generate() }));
        var none = Assert.Throws<InvalidDataException>(() => ModelArtifact.Load(_folder.File("a")));

        Assert.Contains($"key id {key.Id}", wrong.Message);
        Assert.Contains(ArtifactEncryptionKey.EnvironmentVariable, none.Message);
    }

    [Fact]
    public void AKeyFileWithTheWrongLengthIsRefusedSayingWhatIsExpected()
    {
        File.WriteAllText(_folder.File("short.key"), Convert.ToBase64String(new byte[16]));

        var error = Assert.Throws<FormatException>(() => ArtifactEncryptionKey.FromFile(_folder.File("short.key")));

        Assert.Contains("32 bytes", error.Message);
    }

    private string WriteKeyFile(ArtifactEncryptionKey key)
    {
        var path = _folder.File("artifact.key");
        File.WriteAllText(path, key.ToBase64() + "\n");
        return path;
    }
}
