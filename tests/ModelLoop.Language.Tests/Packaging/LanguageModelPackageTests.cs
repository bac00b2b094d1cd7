using ModelLoop.Language.Packaging;
using ModelLoop.Language.Tokenization;
using ModelLoop.Modeling.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Language.Tests.Packaging;

public sealed class LanguageModelPackageTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lm-package").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_saved_package_loads_the_same_logits_and_tokenizer()
    {
        var tokenizer = BpeTrainer.Train(["hello hello world, hello there"], new BpeTrainerOptions { VocabularySize = 262 });
        torch.manual_seed(4);
        using var model = SequenceZoo.Gpt(tokenizer.VocabularySize, 16, layers: 1, heads: 2, width: 16);
        LanguageModelPackage.Save(model, tokenizer, _folder);

        using var package = LanguageModelPackage.Load(_folder);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.Network.eval();
        package.Model.Network.eval();
        var ids = tensor(tokenizer.Encode("hello world").Select(i => (long)i).ToArray()).unsqueeze(0);

        Assert.True(package.Model.Network.forward(ids).allclose(model.Network.forward(ids), rtol: 0, atol: 0));
        Assert.IsType<ByteLevelBpeTokenizer>(package.Tokenizer);
        Assert.Equal(tokenizer.Encode("hello there"), package.Tokenizer.Encode("hello there"));
        Assert.True(File.Exists(Path.Combine(_folder, "model", "weights.safetensors")));
    }

    [Fact]
    public void A_tokenizer_larger_than_the_model_vocabulary_is_refused()
    {
        var big = CharTokenizer.FromCorpus(["abcdefghijklmnopqrstuvwxyz"]);
        torch.manual_seed(4);
        using var model = SequenceZoo.Gpt(10, 8, layers: 1, heads: 1, width: 8);
        LanguageModelPackage.Save(model, big, _folder);

        var error = Assert.Throws<InvalidDataException>(() => LanguageModelPackage.Load(_folder));
        Assert.Contains("do not belong together", error.Message);
    }
}
