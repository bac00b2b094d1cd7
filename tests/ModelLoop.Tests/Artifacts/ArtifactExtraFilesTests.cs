using System.Text;
using ModelLoop.Tests.Training;
using ModelLoop.Artifacts;

namespace ModelLoop.Tests.Artifacts;

public sealed class ArtifactExtraFilesTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void ExtraFilesAreChecksummedEncryptedAndReadBackVerified()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);
        var key = ArtifactEncryptionKey.Generate();
        var vocabulary = Encoding.UTF8.GetBytes("{\"secret-token\": 0}");

        ModelArtifact.Save(model, _folder.File("a"), null, new ArtifactSaveOptions { EncryptionKey = key, ExtraFiles = new Dictionary<string, byte[]> { ["tokenizer.vocab.json"] = vocabulary } });
        using var loaded = ModelArtifact.Load(_folder.File("a"), new ArtifactLoadOptions { EncryptionKey = key });

        Assert.Equal(vocabulary, loaded.ExtraFiles["tokenizer.vocab.json"]);
        Assert.Single(loaded.ExtraFiles);
        Assert.Contains("tokenizer.vocab.json", File.ReadAllText(Path.Combine(_folder.File("a"), ModelArtifact.ManifestFile)));
        Assert.DoesNotContain("secret-token", File.ReadAllText(Path.Combine(_folder.File("a"), "tokenizer.vocab.json")));
    }

    [Fact]
    public void AChangedExtraFileIsRefusedNamingIt()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);
        ModelArtifact.Save(model, _folder.File("a"), null, new ArtifactSaveOptions { ExtraFiles = new Dictionary<string, byte[]> { ["notes.txt"] = "v1"u8.ToArray() } });
        File.WriteAllText(Path.Combine(_folder.File("a"), "notes.txt"), "v2");

        var error = Assert.Throws<InvalidDataException>(() => ModelArtifact.Load(_folder.File("a")));

        Assert.Contains("notes.txt", error.Message);
    }

    [Theory]
    [InlineData("weights.safetensors")]
    [InlineData("manifest.json")]
    [InlineData("sub/file.txt")]
    public void AnExtraFileNamedLikeThePackagesOwnOrWithAFolderIsRefused(string name)
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);

        var error = Assert.Throws<ArgumentException>(() => ModelArtifact.Save(model, _folder.File("a"), null, new ArtifactSaveOptions { ExtraFiles = new Dictionary<string, byte[]> { [name] = [1] } }));

        Assert.Contains(name, error.Message);
        Assert.False(Directory.Exists(_folder.File("a")));
    }
}
