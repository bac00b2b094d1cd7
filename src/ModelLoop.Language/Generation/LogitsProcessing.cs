using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Language.Generation;

/// <summary>The token-choice steps of <see cref="GenerationOptions"/>, on next-token logits (B, vocabulary).</summary>
/// <remarks>
/// No number reaches libtorch through TorchSharp's implicit Scalar conversion: such a temporary has a finalizer, and once
/// the native call holds its handle the JIT may consider it dead, so a collection on another thread (the server's) can
/// free the c10::Scalar while libtorch reads it. Each Scalar here is a `using` local, alive until after its call, or a
/// static that lives as long as the process.
/// </remarks>
internal static class LogitsProcessing
{
    private static readonly Scalar Zero = 0.0.ToScalar();
    private static readonly Scalar MinusInfinity = double.NegativeInfinity.ToScalar();

    /// <summary>CTRL's penalty on the tokens <paramref name="seen"/> (B, vocabulary) bool: positive logits ÷ penalty, negative × penalty.</summary>
    public static Tensor PenalizeRepetition(Tensor logits, Tensor seen, double penalty)
    {
        using var factor = penalty.ToScalar();
        var penalized = where(logits.lt(Zero), logits.mul(factor), logits.div(factor));
        return where(seen, penalized, logits);
    }

    /// <summary>Keeps the <paramref name="k"/> largest logits of each row (ties with the k-th kept too), the rest −∞.</summary>
    public static Tensor TopK(Tensor logits, int k)
    {
        if (k >= logits.shape[1])
            return logits;
        var kth = logits.topk(k).values.narrow(1, k - 1, 1);       // (B, 1) the k-th largest logit
        return logits.masked_fill(logits < kth, MinusInfinity);
    }

    /// <summary>
    /// Nucleus filter: keeps, per row, the smallest set of most likely tokens whose probabilities sum to at least
    /// <paramref name="p"/> (a token is dropped when the tokens ranked above it already reach p), the rest −∞.
    /// </summary>
    public static Tensor TopP(Tensor logits, double p)
    {
        if (p >= 1)
            return logits;
        var (sorted, order) = logits.sort(dim: -1, descending: true);  // (B, V) most likely first
        var probabilities = sorted.softmax(-1);
        var before = probabilities.cumsum(-1) - probabilities;        // (B, V) mass ranked above each token (tensor − tensor passes no Scalar)
        using var mass = p.ToScalar();
        var dropSorted = before.ge(mass);                             // the first token always stays (before = 0)
        var drop = zeros_like(dropSorted).scatter(-1, order, dropSorted); // back to vocabulary order
        return logits.masked_fill(drop, MinusInfinity);
    }

    /// <summary>The next token of each row (B) int64: argmax when temperature is 0, otherwise a draw from the filtered distribution.</summary>
    public static Tensor Choose(Tensor logits, Tensor? seen, GenerationOptions options, Generator generator)
    {
        if (seen is not null && options.RepetitionPenalty != 1.0)
            logits = PenalizeRepetition(logits, seen, options.RepetitionPenalty);
        if (options.Temperature == 0)
            return logits.argmax(-1);
        using (var temperature = options.Temperature.ToScalar())
            logits = logits.div(temperature);
        if (options.TopK is { } k)
            logits = TopK(logits, k);
        if (options.TopP is { } p)
            logits = TopP(logits, p);
        return multinomial(logits.softmax(-1), 1, generator: generator).squeeze(-1); // (B)
    }
}
