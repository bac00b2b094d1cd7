using ModelLoop.Artifacts;
using ModelLoop.Language.Evaluation;
using ModelLoop.Language.Packaging;
using ModelLoop.Language.Tokenization;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Registry;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Language.Tests.Packaging;

public sealed class LanguageModelRegistrationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lm-registration").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private ModelRegistry Registry => new(Path.Combine(_folder, "home"));

    // A byte-level BPE package (vocab.json and merges.txt) with seeded random weights.
    private string Package(string name, int seed)
    {
        var tokenizer = BpeTrainer.Train(["hello hello world, hello there", "the world is wide"], new BpeTrainerOptions { VocabularySize = 262 });
        torch.manual_seed(seed);
        using var model = SequenceZoo.Gpt(tokenizer.VocabularySize, 16, layers: 1, heads: 2, width: 16);
        var path = Path.Combine(_folder, name);
        LanguageModelPackage.Save(model, tokenizer, path);
        return path;
    }

    private static Tensor Logits(LanguageModelPackage package, string text)
    {
        package.Model.Network.eval();
        using var noGrad = no_grad();
        return package.Model.Network.forward(tensor(package.Tokenizer.Encode(text).Select(i => (long)i).ToArray()).unsqueeze(0));
    }

    [Fact]
    public void A_registered_language_model_loads_back_whole_by_alias_and_by_version()
    {
        var folder = Package("lm", 3);
        var registry = Registry;

        var version = LanguageModelRegistration.Register(registry, "chat", folder, new RegisterOptions { Aliases = ["champion"] });

        using var original = LanguageModelPackage.Load(folder);
        using var byAlias = LanguageModelRegistration.Load(registry, "chat", "champion");
        using var byVersion = LanguageModelRegistration.Load(registry, "chat", "1");
        using var scope = NewDisposeScope();
        Assert.True(LanguageModelRegistration.IsLanguageModel(version));
        Assert.IsType<ByteLevelBpeTokenizer>(byAlias.Tokenizer);
        Assert.Equal(original.Tokenizer.Encode("hello wide world"), byAlias.Tokenizer.Encode("hello wide world"));
        Assert.True(Logits(byAlias, "hello world").allclose(Logits(original, "hello world"), rtol: 0, atol: 0));
        Assert.Equal(byAlias.Artifact.ManifestSha256, byVersion.Artifact.ManifestSha256);
        // One artifact: the tokenizer's files are checksummed in the model's manifest.
        var manifest = File.ReadAllText(Path.Combine(version.ArtifactPath, ModelArtifact.ManifestFile));
        Assert.Contains("tokenizer.vocab.json", manifest);
        Assert.Contains("tokenizer.merges.txt", manifest);
    }

    [Fact]
    public void A_tokenizer_changed_inside_the_registry_is_refused_at_load()
    {
        var registry = Registry;
        var version = LanguageModelRegistration.Register(registry, "chat", Package("lm", 3));
        var vocabulary = Path.Combine(version.ArtifactPath, "tokenizer.vocab.json");
        File.WriteAllText(vocabulary, File.ReadAllText(vocabulary).Replace("\"hello\"", "\"jello\"", StringComparison.Ordinal));

        var error = Assert.Throws<InvalidDataException>(() => LanguageModelRegistration.Load(registry, "chat", "1"));

        Assert.Contains("tokenizer.vocab.json", error.Message);
    }

    [Fact]
    public void A_version_registered_without_its_tokenizer_is_refused_saying_how_to_register_one()
    {
        var registry = Registry;
        registry.Register("plain", Path.Combine(Package("lm", 3), LanguageModelPackage.ModelFolder));

        var error = Assert.Throws<InvalidDataException>(() => LanguageModelRegistration.Load(registry, "plain"));

        Assert.Contains("LanguageModelRegistration.Register", error.Message);
        Assert.False(LanguageModelRegistration.IsLanguageModel(registry.GetVersion("plain", 1)));
    }

    [Fact]
    public void The_resolver_reads_registry_references_and_package_folders_alike()
    {
        var folder = Package("lm", 5);
        var home = Path.Combine(_folder, "home");
        LanguageModelRegistration.Register(Registry, "chat", folder, new RegisterOptions { Aliases = ["production"] });

        using var fromRegistry = LanguageModelResolver.Resolve("chat", home);
        using var fromFolder = LanguageModelResolver.Resolve(folder, home);
        using var scope = NewDisposeScope();

        Assert.Equal(1, fromRegistry.RegistryVersion!.Version);
        Assert.Null(fromFolder.RegistryVersion);
        Assert.True(Logits(fromRegistry.Package, "the world").allclose(Logits(fromFolder.Package, "the world"), rtol: 0, atol: 0));
        Assert.Throws<DirectoryNotFoundException>(() => LanguageModelResolver.Resolve("no/such/folder", home));
    }
}
