using System.Text;
using ModelLoop.Language.Corpora;

namespace ModelLoop.Language.Tokenization;

/// <summary>Builds a tokenizer from a corpus path, saves it and measures it: what `modelloop lm tokenizer train` runs.</summary>
public static class TokenizerTraining
{
    /// <summary>Reads the corpus, trains (BPE) or collects characters, saves into <paramref name="outputDirectory"/> and encodes the corpus once to measure compression.</summary>
    /// <param name="corpus">A corpus file or folder (see <see cref="LanguageCorpus.Read"/>).</param>
    /// <param name="outputDirectory">Where vocab.json (and merges.txt) go; created if missing.</param>
    /// <param name="kind">Defaults to byte-level BPE.</param>
    /// <param name="format">How the corpus is cut into documents. Defaults to fortunes.</param>
    /// <param name="options">BPE options (vocabulary size, progress). Defaults to <see cref="BpeTrainerOptions"/>'s.</param>
    public static TokenizerTrainingSummary Train(string corpus, string outputDirectory, TokenizerKind kind = TokenizerKind.Bpe,
        CorpusFormat format = CorpusFormat.Fortunes, BpeTrainerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        var documents = LanguageCorpus.Read(corpus, format).Select(d => d.Text).ToList();
        ITextTokenizer tokenizer;
        int merges;
        switch (kind)
        {
            case TokenizerKind.Bpe:
                var bpe = BpeTrainer.Train(documents, options);
                bpe.Save(outputDirectory);
                (tokenizer, merges) = (bpe, bpe.Merges.Count);
                break;
            case TokenizerKind.Char:
                var characters = CharTokenizer.FromCorpus(documents);
                characters.Save(outputDirectory);
                (tokenizer, merges) = (characters, 0);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, $"Unknown tokenizer kind {kind}; expected {string.Join(" or ", Enum.GetNames<TokenizerKind>())}.");
        }
        long bytes = 0, tokens = 0;
        foreach (var document in documents)
        {
            bytes += Encoding.UTF8.GetByteCount(document);
            tokens += tokenizer.Encode(document).Count;
        }
        var files = kind == TokenizerKind.Bpe
            ? new[] { ByteLevelBpeTokenizer.VocabularyFile, ByteLevelBpeTokenizer.MergesFile }
            : [ByteLevelBpeTokenizer.VocabularyFile];
        return new TokenizerTrainingSummary(kind, tokenizer.VocabularySize, merges, documents.Count, bytes, tokens,
            [.. files.Select(f => Path.Combine(outputDirectory, f))]);
    }
}
