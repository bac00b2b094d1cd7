using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Modeling.Transformers;

/// <summary>
/// Incremental (key/value-cached) inference for a model made of one <see cref="Layers.Gpt"/> layer, such as
/// <see cref="Zoo.SequenceZoo.Gpt"/>: prefill the prompt in one <see cref="Forward"/>, then feed one token per step;
/// each step costs one position's work instead of the whole prefix's. The model's ordinary forward (training) is
/// unchanged. Positions never wrap: a sequence longer than the block size is refused (no sliding window, which
/// would need the cache's keys recomputed for the shifted positions).
/// </summary>
public sealed class GptDecoder
{
    private readonly GptNetwork _network;

    private GptDecoder(GptNetwork network) => _network = network;

    /// <summary>
    /// The decoder of <paramref name="model"/>, which must consist of one Gpt layer (output (block, vocabulary)).
    /// Shares the model's weights (no copy). Generation runs the network in evaluation mode; callers set that
    /// (<c>model.Network.eval()</c>) and wrap calls in <c>torch.no_grad()</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The model is not a single Gpt layer.</exception>
    public static GptDecoder For(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var networks = model.Network.modules().OfType<GptNetwork>().ToList();
        if (networks.Count != 1 || model.OutputShape.Rank != 2 || model.OutputShape[0] != networks[0].BlockSize
            || model.OutputShape[1] != networks[0].Config.VocabularySize)
            throw new ArgumentException($"Generation needs a model made of one Gpt layer (e.g. SequenceZoo.Gpt); received a model with {networks.Count} Gpt layer(s) and output shape {model.OutputShape}. Build the language model with SequenceZoo.Gpt.", nameof(model));
        return new GptDecoder(networks[0]);
    }

    /// <summary>The longest sequence (prompt and generated tokens, padding excluded) the position embedding covers.</summary>
    public long BlockSize => _network.BlockSize;

    /// <summary>Token ids lie in [0, VocabularySize).</summary>
    public int VocabularySize => _network.Config.VocabularySize;

    /// <summary>
    /// An empty cache for <paramref name="batch"/> rows and up to <paramref name="capacity"/> slots (left padding
    /// included), on the model's device and in its dtype. Memory: 2 · layers · batch · capacity · width values.
    /// </summary>
    public KeyValueCache CreateCache(long batch, long capacity)
    {
        if (batch < 1)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"batch must be at least 1; received batch={batch}.");
        if (capacity < 1)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"capacity must be at least 1; received capacity={capacity}.");
        var config = _network.Config;
        var weight = _network.parameters().First();
        return new KeyValueCache(config.Layers, batch, config.Heads, capacity, config.Width / config.Heads, weight.dtype, weight.device);
    }

    /// <summary>
    /// An empty slotted cache (continuous batching): <paramref name="slots"/> independent sequences of up to
    /// <paramref name="capacity"/> positions each (at most the block size is ever used), fed by <see cref="ForwardRows"/>.
    /// Memory: 2 · layers · slots · capacity · width values.
    /// </summary>
    public KeyValueCache CreateSlots(int slots, long capacity)
    {
        if (slots < 1)
            throw new ArgumentOutOfRangeException(nameof(slots), slots, $"slots must be at least 1; received slots={slots}.");
        if (capacity < 1)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"capacity must be at least 1; received capacity={capacity}.");
        var config = _network.Config;
        var weight = _network.parameters().First();
        return new KeyValueCache(config.Layers, slots, config.Heads, capacity, config.Width / config.Heads, weight.dtype, weight.device, slotted: true);
    }

    /// <summary>
    /// Logits (R, T, vocabulary) of <paramref name="tokens"/> (R, T) int64: the next T tokens of rows
    /// [<paramref name="firstRow"/>, firstRow + R) of a slotted <paramref name="cache"/>, each row continuing its own
    /// sequence from its own length (a row of length 0 is a prefill). Rows outside the range are neither read nor changed.
    /// </summary>
    /// <exception cref="ArgumentException">The cache is not slotted, the rows are outside it, or a row would pass the cache's capacity or the block size.</exception>
    public Tensor ForwardRows(Tensor tokens, KeyValueCache cache, int firstRow)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(cache);
        if (!cache.IsSlotted)
            throw new ArgumentException("ForwardRows needs a slotted cache (GptDecoder.CreateSlots); a cache from CreateCache is fed with Forward.", nameof(cache));
        if (tokens.dim() != 2 || tokens.dtype != ScalarType.Int64)
            throw new ArgumentException($"tokens must be (rows, time) int64 token ids; received shape [{string.Join(", ", tokens.shape)}] of {tokens.dtype}.", nameof(tokens));
        var (rows, time) = (tokens.shape[0], tokens.shape[1]);
        if (firstRow < 0 || firstRow + rows > cache.Batch)
            throw new ArgumentException($"Rows [{firstRow}, {firstRow + rows}) are outside the cache's {cache.Batch} slots.", nameof(firstRow));
        for (var row = firstRow; row < firstRow + rows; row++)
        {
            var reach = cache.RowLength(row) + time;
            if (reach > Math.Min(cache.Capacity, BlockSize))
                throw new ArgumentException($"Row {row} would reach {reach} tokens but the cache holds {cache.Capacity} slots per row and this GPT's block size is {BlockSize}. Generate fewer tokens or shorten the prompt.", nameof(tokens));
        }
        return _network.ForwardRows(tokens, cache, firstRow);
    }

    /// <summary>
    /// Logits (B, T, vocabulary) of <paramref name="tokens"/> (B, T) int64, the next T tokens of each row after what
    /// <paramref name="cache"/> holds, which it then holds too. With an empty cache this is the prefill and equals the
    /// model's forward. <paramref name="padding"/> (one count per row, or null for none) says how many of each row's
    /// first slots are left padding: positions then start at each row's first real token and no query sees padding,
    /// so rows of different lengths batch together. Padding slots count against the cache's capacity, not the block size.
    /// </summary>
    /// <exception cref="ArgumentException">The batch differs from the cache's, the cache is full, a row would pass the
    /// block size, or the padding is negative or not one count per row.</exception>
    public Tensor Forward(Tensor tokens, KeyValueCache cache, long[]? padding = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(cache);
        if (tokens.dim() != 2 || tokens.dtype != ScalarType.Int64)
            throw new ArgumentException($"tokens must be (batch, time) int64 token ids; received shape [{string.Join(", ", tokens.shape)}] of {tokens.dtype}.", nameof(tokens));
        var (batch, time) = (tokens.shape[0], tokens.shape[1]);
        if (batch != cache.Batch)
            throw new ArgumentException($"tokens hold {batch} rows but the cache was made for {cache.Batch}. Create the cache with CreateCache({batch}, …).", nameof(tokens));
        if (cache.Length + time > cache.Capacity)
            throw new ArgumentException($"The cache holds {cache.Length} of {cache.Capacity} slots; {time} more tokens do not fit. Create the cache with capacity ≥ prompt + new tokens.", nameof(tokens));
        if (padding is not null && (padding.Length != batch || padding.Any(p => p < 0)))
            throw new ArgumentException($"padding must hold one non-negative count per row ({batch}); received [{string.Join(", ", padding)}].", nameof(padding));
        var longest = cache.Length + time - (padding is null ? 0 : padding.Min());
        if (longest > BlockSize)
            throw new ArgumentException($"A row would reach {longest} tokens but this GPT's block size is {BlockSize}: positions past it have no embedding. Generate fewer tokens or shorten the prompt.", nameof(tokens));
        return _network.Forward(tokens, cache, padding);
    }
}
