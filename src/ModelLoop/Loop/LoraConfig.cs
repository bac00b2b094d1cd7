namespace ModelLoop.Loop;

/// <summary>
/// The <c>language.lora</c> section of a <see cref="TrainingConfig"/>: fine-tune a trained language model with LoRA
/// adapters instead of training a GPT from scratch. The run starts from <see cref="Base"/>'s weights and tokenizer, only
/// the adapters train, and the run's package holds the base with the adapters merged (the adapters are also saved alone).
/// ModelLoop.Language's <c>LanguageModelTraining</c> runs it; its <c>LoraOptions</c> owns the defaults of the fields left null.
/// </summary>
/// <example>
/// <code>
/// language:
///   corpus: fortunes
///   categories: [startrek]
///   lora: { base: runs/fortunes-char, rank: 8, alpha: 16, targets: [attn.c_attn, mlp.c_fc] }
///   maxIters: 150
/// </code>
/// </example>
public sealed record LoraConfig
{
    /// <summary>The language-model package or <c>lm train</c> run folder to adapt. Required; defaults to "" (refused).</summary>
    public string Base { get; init; } = "";
    /// <summary>The adapters' rank r. Defaults to null: 8.</summary>
    public int? Rank { get; init; }
    /// <summary>α: each update is scaled by α / r. Defaults to null: 16.</summary>
    public double? Alpha { get; init; }
    /// <summary>Dropout on the adapters' input while training, in [0, 1). Defaults to null: 0.</summary>
    public double? Dropout { get; init; }
    /// <summary>
    /// Module patterns to adapt, matched against the end of each linear layer's path (e.g. attn.c_attn, mlp.c_fc, or
    /// h.0.attn.c_attn). Defaults to null: GPT-2's attention and MLP projections (attn.c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj).
    /// </summary>
    public IReadOnlyList<string>? Targets { get; init; }
}
