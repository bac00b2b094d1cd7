namespace ModelLoop.Language.Generation;

/// <summary>
/// How <see cref="TextGenerator"/> picks tokens. Processing order is Hugging Face's: repetition penalty on the
/// logits, then temperature, top-k, top-p, then sampling (or the most likely token when <see cref="Temperature"/> is 0).
/// </summary>
public sealed record GenerationOptions
{
    /// <summary>The most tokens generated per prompt (end-of-text and stop sequences may end earlier). Prompt + MaxNewTokens − 1 must fit the block size. Defaults to 128.</summary>
    public int MaxNewTokens { get; init; } = 128;

    /// <summary>Logits are divided by it before sampling: below 1 sharpens, above 1 flattens; 0 is greedy decoding (always the most likely token). Defaults to 1.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Sample only among the K most likely tokens; null keeps all. Defaults to null.</summary>
    public int? TopK { get; init; }

    /// <summary>Nucleus sampling: sample only among the smallest set of most likely tokens whose probabilities sum to at least P, in (0, 1]; null keeps all. Defaults to null.</summary>
    public double? TopP { get; init; }

    /// <summary>
    /// CTRL's repetition penalty, as Hugging Face applies it: the logit of every token already in the prompt or the
    /// generated text is divided by it when positive and multiplied by it when negative; 1 is none, above 1 discourages
    /// repeats. Defaults to 1.
    /// </summary>
    public double RepetitionPenalty { get; init; } = 1.0;

    /// <summary>Generation of a prompt ends when its text contains one of these; the stop string and what follows are not returned. Defaults to none.</summary>
    public IReadOnlyList<string> Stop { get; init; } = [];

    /// <summary>Seeds the sampler's own torch Generator: the same seed, model and prompt give the same text; null draws a random seed. Defaults to null.</summary>
    public long? Seed { get; init; }

    /// <summary>Whether the end-of-text token ends generation (it is not returned). Defaults to true.</summary>
    public bool StopAtEndOfText { get; init; } = true;

    /// <summary>Whether to keep keys and values between steps (KV cache); false recomputes the whole prefix each step (for comparison). Defaults to true.</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>Checks every option; throws naming the first bad one.</summary>
    /// <exception cref="ArgumentException">An option out of range.</exception>
    public void Validate()
    {
        if (MaxNewTokens < 1)
            throw new ArgumentException($"MaxNewTokens must be at least 1; received MaxNewTokens={MaxNewTokens}.", nameof(MaxNewTokens));
        if (!(Temperature >= 0) || double.IsInfinity(Temperature))
            throw new ArgumentException($"Temperature must be a finite number ≥ 0 (0 = greedy); received Temperature={Temperature}.", nameof(Temperature));
        if (TopK is < 1)
            throw new ArgumentException($"TopK must be at least 1 (or unset to keep every token); received TopK={TopK}.", nameof(TopK));
        if (TopP is { } p && !(p > 0 && p <= 1))
            throw new ArgumentException($"TopP must be in (0, 1] (or unset to keep every token); received TopP={p}.", nameof(TopP));
        if (!(RepetitionPenalty > 0) || double.IsInfinity(RepetitionPenalty))
            throw new ArgumentException($"RepetitionPenalty must be a finite number > 0 (1 = none); received RepetitionPenalty={RepetitionPenalty}.", nameof(RepetitionPenalty));
        if (Stop.Any(string.IsNullOrEmpty))
            throw new ArgumentException("Stop holds an empty string, which would stop before the first token. Remove it.", nameof(Stop));
    }
}
