using Gpt = ModelLoop.Modeling.Layers.Gpt;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelLoop.Modeling.Transformers;

/// <summary>
/// The module <see cref="Gpt"/> builds: (B, T) int64 token ids → (B, T, vocabulary) logits, T ≤ block size.
/// Field names are GPT-2's Hugging Face parameter names (hence snake_case), so weights map one to one.
/// </summary>
internal sealed class GptNetwork : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // names are GPT-2's parameter names
    private readonly Embedding wte;   // (vocabulary, D) token embedding, also the output head
    private readonly Embedding wpe;   // (block size, D) learned position embedding
    private readonly nn.Module<Tensor, Tensor> drop;
    private readonly ModuleList<GptBlock> h;
    private readonly LayerNorm ln_f;
#pragma warning restore IDE1006

    public GptNetwork(Gpt config, long blockSize) : base(nameof(GptNetwork))
    {
        BlockSize = blockSize;
        Config = config;
        wte = nn.Embedding(config.VocabularySize, config.Width);
        wpe = nn.Embedding(blockSize, config.Width);
        drop = nn.Dropout(config.Dropout);
        h = nn.ModuleList([.. Enumerable.Range(0, config.Layers).Select(_ => new GptBlock(config))]);
        ln_f = nn.LayerNorm(config.Width, bias: config.Bias);
        RegisterComponents();
        Initialize(config.Layers);
    }

    /// <summary>The longest sequence the position embedding covers.</summary>
    public long BlockSize { get; }

    /// <summary>The layer this network was built from (sizes for the key/value cache).</summary>
    public Gpt Config { get; }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var time = input.shape[1];
        if (time > BlockSize)
            throw new ArgumentException($"The input holds {time} tokens per sequence but this GPT's block size is {BlockSize}. Feed at most the last {BlockSize} tokens (crop the context).", nameof(input));
        var positions = Range(0, time, input.device);                                  // (T)
        var x = drop.forward(wte.forward(input) + wpe.forward(positions));           // (B, T, D)
        foreach (var block in h)
            x = block.forward(x);                                                      // (B, T, D)
        x = ln_f.forward(x);
        // Weight tying: the head is the token embedding itself (one tensor), logits = x · wteᵀ.
        return nn.functional.linear(x, wte.weight!).MoveToOuterDisposeScope();        // (B, T, vocabulary)
    }

    /// <summary>
    /// The incremental forward (generation): <paramref name="tokens"/> (B, T) int64 are new tokens only, written to
    /// cache slots [cache.Length, cache.Length + T); returns their logits (B, T, vocabulary). Row b's first
    /// <paramref name="padding"/>[b] slots are left padding: its positions count from its first real token, no query
    /// attends to padding (a padding query attends to itself only, so no softmax row is empty and no NaN reaches the
    /// cache). Without padding and with an empty cache this computes exactly <see cref="forward"/>.
    /// </summary>
    public Tensor Forward(Tensor tokens, KeyValueCache cache, long[]? padding)
    {
        using var scope = NewDisposeScope();
        var (batch, time) = (tokens.shape[0], tokens.shape[1]);
        var start = cache.Length;
        var device = tokens.device;
        var slots = Range(start, start + time, device);                                   // (T) cache slot of each new token
        Tensor positions;
        Tensor? mask = null;
        if (padding is null)
        {
            positions = slots.unsqueeze(0);                                                // (1, T)
            if (start > 0 && time > 1)
                mask = (Range(0, start + time, device).unsqueeze(0) <= slots.unsqueeze(1)) // (T, slots): causal in slot order
                    .unsqueeze(0).unsqueeze(0);                                            // (1, 1, T, slots)
        }
        else
        {
            var pads = tensor(padding, device: device);                                    // (B)
            using var zero = 0L.ToScalar();
            positions = (slots.unsqueeze(0) - pads.unsqueeze(1)).clamp_min(zero);          // (B, T): padding sits at position 0, unseen (tensor − tensor passes no Scalar)
            var keys = Range(0, start + time, device).unsqueeze(0);                        // (1, slots)
            var causal = keys <= slots.unsqueeze(1);                                       // (T, slots)
            var real = (keys >= pads.unsqueeze(1)).unsqueeze(1);                           // (B, 1, slots)
            var itself = keys == slots.unsqueeze(1);                                       // (T, slots)
            mask = ((causal.unsqueeze(0) & real) | itself.unsqueeze(0)).unsqueeze(1);     // (B, 1, T, slots)
        }
        using var alpha = 1L.ToScalar(); // + would pass a temporary Scalar (see Range)
        var x = drop.forward(wte.forward(tokens).add(wpe.forward(positions), alpha));    // (B, T, D)
        for (var i = 0; i < h.Count; i++)
            x = h[i].Forward(x, cache, i, mask);                                           // (B, T, D)
        cache.Advance(time);
        x = ln_f.forward(x);
        return nn.functional.linear(x, wte.weight!).MoveToOuterDisposeScope();            // (B, T, vocabulary)
    }

    /// <summary>
    /// The incremental forward of a slotted cache (continuous batching): <paramref name="tokens"/> (R, T) int64 are the
    /// next T tokens of rows [<paramref name="first"/>, first + R), each row an independent sequence continuing at its
    /// own length n_r: its positions are n_r … n_r + T − 1 and its query t sees its own slots [0, n_r + t] only.
    /// Returns their logits (R, T, vocabulary).
    /// </summary>
    public Tensor ForwardRows(Tensor tokens, KeyValueCache cache, int first)
    {
        using var scope = NewDisposeScope();
        var (rows, time) = (tokens.shape[0], tokens.shape[1]);
        var device = tokens.device;
        cache.BeginRows(first, (int)rows);
        var lengths = tensor(cache.WindowLengths(), device: device).unsqueeze(1);                // (R, 1)
        using var alpha = 1L.ToScalar(); // + would pass a temporary Scalar (see Range)
        var positions = lengths.add(Range(0, time, device).unsqueeze(0), alpha);                  // (R, T)
        var longest = cache.WindowLengths().Max();
        var keys = Range(0, longest + time, device).view(1, 1, -1);                               // (1, 1, slots)
        var mask = (keys <= positions.unsqueeze(2)).unsqueeze(1);                                 // (R, 1, T, slots)
        var x = drop.forward(wte.forward(tokens).add(wpe.forward(positions), alpha));            // (R, T, D)
        for (var i = 0; i < h.Count; i++)
            x = h[i].Forward(x, cache, i, mask);                                                   // (R, T, D)
        var logits = nn.functional.linear(ln_f.forward(x), wte.weight!);                         // (R, T, vocabulary)
        // Lengths move only once everything succeeded: a forward that throws can be run again (it rewrites the same slots).
        cache.Advance(time);
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// [start, stop) as int64 on <paramref name="device"/>. arange(n) would convert its numbers (and TorchSharp its own
    /// step of 1) into temporary Scalars that a collection on another thread may finalize, freeing the c10::Scalar,
    /// while libtorch still reads it; these are alive until after the call.
    /// </summary>
    private static Tensor Range(long start, long stop, Device device)
    {
        using var first = start.ToScalar();
        using var end = stop.ToScalar();
        using var step = 1L.ToScalar();
        return arange(first, end, step, ScalarType.Int64, device);
    }

    /// <summary>GPT-2's initialization: weights N(0, 0.02), biases 0, residual projections (c_proj) N(0, 0.02/√(2·layers)).</summary>
    private void Initialize(int layers)
    {
        using var _ = no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.StartsWith("ln_", StringComparison.Ordinal) || name.Contains(".ln_", StringComparison.Ordinal))
                continue; // LayerNorm: weight 1, bias 0 as created
            if (name.EndsWith(".bias", StringComparison.Ordinal))
                nn.init.zeros_(parameter);
            else
                nn.init.normal_(parameter, 0.0, name.EndsWith("c_proj.weight", StringComparison.Ordinal) ? 0.02 / Math.Sqrt(2.0 * layers) : 0.02);
        }
    }
}
