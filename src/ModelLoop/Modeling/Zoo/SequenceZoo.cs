using ModelLoop.Modeling.Layers;

namespace ModelLoop.Modeling.Zoo;

/// <summary>
/// Ready-made sequence classifiers over token ids: each takes (sequenceLength) int64 ids in
/// [0, vocabularySize) and returns class logits, as an ordinary <see cref="Sequential"/> built with
/// <see cref="InputKind.TokenIds"/>. Every argument is honoured.
/// </summary>
public static class SequenceZoo
{
    /// <summary>Embedding(vocabularySize, embedding) → Lstm(units) → Dense(classes).</summary>
    /// <param name="sequenceLength">Tokens per sample. Must be positive.</param>
    /// <param name="vocabularySize">Distinct token ids. Must be positive.</param>
    /// <param name="classes">Output logits. Must be positive.</param>
    /// <param name="embedding">Embedding dimensions. Defaults to 64.</param>
    /// <param name="units">LSTM hidden size. Defaults to 128.</param>
    /// <param name="bidirectional">Whether the LSTM also reads backwards (2·units features). Defaults to false.</param>
    public static Sequential LstmClassifier(int sequenceLength, int vocabularySize, int classes, int embedding = 64, int units = 128,
        bool bidirectional = false) => new(Input(sequenceLength), InputKind.TokenIds)
    {
        new Embedding(vocabularySize, embedding),
        new Lstm(units, Bidirectional: bidirectional),
        new Dense(classes),
    };

    /// <summary>
    /// Embedding(vocabularySize, dimensions) → TransformerEncoderBlock(heads, 4·dimensions)×blocks →
    /// SequenceMeanPool → Dense(classes). There is no positional encoding: the model sees a bag of tokens in
    /// context, which suits tasks where order matters little; add one before using it where order decides.
    /// </summary>
    /// <param name="sequenceLength">Tokens per sample. Must be positive.</param>
    /// <param name="vocabularySize">Distinct token ids. Must be positive.</param>
    /// <param name="classes">Output logits. Must be positive.</param>
    /// <param name="dimensions">Embedding and model width; must be divisible by <paramref name="heads"/>. Defaults to 64.</param>
    /// <param name="heads">Attention heads per block. Defaults to 4.</param>
    /// <param name="blocks">Transformer encoder blocks. Defaults to 2.</param>
    /// <param name="dropout">Dropout in each block. Defaults to 0.1.</param>
    public static Sequential TransformerClassifier(int sequenceLength, int vocabularySize, int classes, int dimensions = 64, int heads = 4,
        int blocks = 2, double dropout = 0.1)
    {
        if (blocks < 0)
            throw new ArgumentOutOfRangeException(nameof(blocks), blocks, $"blocks must be zero or more; received blocks={blocks}.");
        var model = new Sequential(Input(sequenceLength), InputKind.TokenIds) { new Embedding(vocabularySize, dimensions) };
        for (var i = 0; i < blocks; i++)
            model.Add(new TransformerEncoderBlock(heads, 4 * dimensions, dropout));
        model.Add(new SequenceMeanPool());
        model.Add(new Dense(classes));
        return model;
    }

    /// <summary>
    /// A GPT-2-layout language model: (blockSize) token ids → (blockSize, vocabularySize) next-token logits, one
    /// <see cref="Layers.Gpt"/> layer named "transformer" so parameter names read as Hugging Face's GPT2LMHeadModel's
    /// ("transformer.h.0.attn.c_attn.weight"). The defaults are nanoGPT's CPU configuration (4 layers, 4 heads, width 128).
    /// </summary>
    /// <param name="vocabularySize">Distinct token ids (the tokenizer's vocabulary size). Must be positive.</param>
    /// <param name="blockSize">The longest context in tokens. Must be positive.</param>
    /// <param name="layers">Transformer blocks. Defaults to 4.</param>
    /// <param name="heads">Attention heads; must divide <paramref name="width"/>. Defaults to 4.</param>
    /// <param name="width">Embedding width. Defaults to 128.</param>
    /// <param name="dropout">Dropout while training. Defaults to 0.</param>
    /// <param name="bias">Biases in linear layers and LayerNorms. Defaults to true.</param>
    public static Sequential Gpt(int vocabularySize, int blockSize, int layers = 4, int heads = 4, int width = 128, double dropout = 0.0, bool bias = true) =>
        new(Input(blockSize), InputKind.TokenIds)
        {
            new Layers.Gpt(vocabularySize, layers, heads, width, dropout, bias) { Name = "transformer" },
        };

    private static Shape Input(int sequenceLength) => sequenceLength >= 1
        ? new Shape(sequenceLength)
        : throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, $"sequenceLength must be at least 1; received sequenceLength={sequenceLength}.");
}
