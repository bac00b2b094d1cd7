using ModelLoop.Language.Corpora;
using ModelLoop.Language.Tokenization;
using static TorchSharp.torch;

namespace ModelLoop.Language.Data;

/// <summary>
/// A language-model dataset as nanoGPT packs it: documents encoded and concatenated into one token stream, each
/// followed by <see cref="ITextTokenizer.EndOfTextId"/>, from which training draws random windows of
/// <see cref="BlockSize"/> + 1 tokens — input = the first <see cref="BlockSize"/>, target = the same shifted by
/// one. No padding is wasted and every position is a prediction. Split by document first (<see cref="Split"/>) so
/// no window holds both training and validation text.
/// </summary>
public sealed class PackedSequenceDataset : IDisposable
{
    private readonly Tensor _tokens; // (N) int64

    /// <summary>A dataset over a token stream.</summary>
    /// <exception cref="ArgumentException">A stream shorter than <paramref name="blockSize"/> + 1 tokens, or a block size below 1.</exception>
    public PackedSequenceDataset(IReadOnlyList<int> tokens, int blockSize)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (blockSize < 1)
            throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, $"blockSize must be at least 1; received blockSize={blockSize}.");
        if (tokens.Count < blockSize + 1)
            throw new ArgumentException($"The token stream holds {tokens.Count:N0} tokens but one window needs blockSize + 1 = {blockSize + 1:N0}. Use more text or a smaller block size.", nameof(tokens));
        _tokens = tensor(tokens.Select(t => (long)t).ToArray(), ScalarType.Int64);
        BlockSize = blockSize;
    }

    /// <summary>Encodes <paramref name="documents"/> in order, each followed by the end-of-text id, into one stream.</summary>
    public static PackedSequenceDataset FromDocuments(IEnumerable<string> documents, ITextTokenizer tokenizer, int blockSize)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var stream = new List<int>();
        foreach (var document in documents)
        {
            stream.AddRange(tokenizer.Encode(document));
            stream.Add(tokenizer.EndOfTextId);
        }
        return new PackedSequenceDataset(stream, blockSize);
    }

    /// <summary>
    /// Train and validation datasets from one corpus: documents split by <see cref="CorpusSplit.ByDocument"/>
    /// (deterministic for a seed), each part packed on its own.
    /// </summary>
    /// <param name="validation">Share of documents held out, in (0, 1). Defaults to 0.1.</param>
    /// <param name="seed">The split's seed. Defaults to 1337.</param>
    public static (PackedSequenceDataset Train, PackedSequenceDataset Validation) Split(IReadOnlyList<CorpusDocument> documents, ITextTokenizer tokenizer,
        int blockSize, double validation = 0.1, int seed = 1337)
    {
        var split = CorpusSplit.ByDocument(documents, validation, seed);
        if (split.Validation.Count == 0)
            throw new ArgumentException($"A validation share of {validation} holds out no document of {documents.Count}; raise it or add documents.", nameof(validation));
        return (FromDocuments(split.Train.Select(d => d.Text), tokenizer, blockSize), FromDocuments(split.Validation.Select(d => d.Text), tokenizer, blockSize));
    }

    /// <summary>Tokens per training window (the model's context).</summary>
    public int BlockSize { get; }

    /// <summary>Tokens in the stream.</summary>
    public long TokenCount => _tokens.shape[0];

    /// <summary>The whole stream (N) int64; owned by the dataset.</summary>
    public Tensor Tokens => _tokens;

    /// <summary>
    /// <paramref name="batchSize"/> windows at offsets drawn uniformly from <paramref name="random"/> (seed it for a
    /// reproducible run): input (B, BlockSize) and target (B, BlockSize), int64, target[b, t] = input[b, t + 1] within the stream.
    /// </summary>
    public (Tensor Input, Tensor Target) RandomBatch(int batchSize, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batchSize must be at least 1; received batchSize={batchSize}.");
        var offsets = new long[batchSize];
        for (var i = 0; i < batchSize; i++)
            offsets[i] = random.NextInt64(TokenCount - BlockSize); // last start leaves BlockSize + 1 tokens
        return Windows(offsets);
    }

    /// <summary>
    /// Consecutive non-overlapping windows from the start of the stream, in batches of up to <paramref name="batchSize"/>,
    /// for a deterministic evaluation pass ((N − 1) / BlockSize windows; a last partial window is left out).
    /// </summary>
    public IEnumerable<(Tensor Input, Tensor Target)> SequentialBatches(int batchSize)
    {
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batchSize must be at least 1; received batchSize={batchSize}.");
        var windows = (TokenCount - 1) / BlockSize;
        for (long start = 0; start < windows; start += batchSize)
        {
            var offsets = new long[Math.Min(batchSize, windows - start)];
            for (var i = 0; i < offsets.Length; i++)
                offsets[i] = (start + i) * BlockSize;
            yield return Windows(offsets);
        }
    }

    public void Dispose() => _tokens.Dispose();

    private (Tensor Input, Tensor Target) Windows(long[] offsets)
    {
        using var scope = NewDisposeScope();
        var index = tensor(offsets).unsqueeze(1) + arange(BlockSize + 1, dtype: ScalarType.Int64); // (B, BlockSize + 1)
        var windows = _tokens[index];                                                               // (B, BlockSize + 1)
        var input = windows[.., ..BlockSize].contiguous();
        var target = windows[.., 1..].contiguous();
        return (input.MoveToOuterDisposeScope(), target.MoveToOuterDisposeScope());
    }
}
