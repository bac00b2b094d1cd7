using ModelLoop.Language.Generation;
using ModelLoop.Language.Packaging;
using ModelLoop.Language.Tokenization;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using TorchSharp;

namespace ModelLoop.Serving.Tests.Language;

/// <summary>
/// A <see cref="ServerHost"/> (iris, digits) that also serves "tiny-lm": a randomly initialised character-level GPT
/// (block 64, 2 layers, width 32) saved as a language-model package under Serving:Language:ModelsPath.
/// </summary>
internal sealed class LanguageServer : IDisposable
{
    public const string ModelName = "tiny-lm";
    public const int BlockSize = 64;

    private readonly TestModels.TempFolder _models = new();

    public LanguageServer(Dictionary<string, string?>? settings = null, string? databasePath = null)
    {
        Tokenizer = CharTokenizer.FromCorpus(["abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 .,:;!?'-\n"]);
        torch.manual_seed(21);
        Model = SequenceZoo.Gpt(Tokenizer.VocabularySize, BlockSize, layers: 2, heads: 2, width: 32);
        LanguageModelPackage.Save(Model, Tokenizer, Path.Combine(_models.Path, ModelName, "1"));
        var all = new Dictionary<string, string?> { ["Serving:Language:ModelsPath"] = _models.Path };
        foreach (var (key, value) in settings ?? [])
            all[key] = value;
        Server = new ServerHost(all, databasePath);
    }

    public ServerHost Server { get; }
    public CharTokenizer Tokenizer { get; }
    public Sequential Model { get; }

    /// <summary>What the model generates for <paramref name="prompt"/> alone, greedily (the reference for the server's answers).</summary>
    public GenerationResult Greedy(string prompt, int maxTokens, IReadOnlyList<string>? stop = null) =>
        new TextGenerator(Model, Tokenizer).Generate(prompt, new GenerationOptions { Temperature = 0, MaxNewTokens = maxTokens, Stop = stop ?? [] });

    public void Dispose()
    {
        Server.Dispose();
        Model.Dispose();
        _models.Dispose();
    }
}
