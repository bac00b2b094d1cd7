using System.Globalization;

namespace ModelLoop.Loop;

/// <summary>
/// The language-model part of a <see cref="TrainingConfig"/> (its <c>language:</c> section): the text corpus, the
/// tokenizer, the GPT's size and nanoGPT's iteration budget. With it, <see cref="DataConfig.Source"/> is ignored in
/// favour of <see cref="Corpus"/>, <see cref="DataConfig.Validation"/> and <see cref="DataConfig.Test"/> are shares of
/// <em>documents</em> (so no held-out text is seen in training), and the run is <see cref="MaxIters"/> optimizer steps
/// long instead of <see cref="TrainingConfig.Epochs"/>: an "epoch" of the trainer is <see cref="EvalInterval"/>
/// iterations, after which validation runs and the checkpoint is written. ModelLoop.Language's
/// <c>LanguageModelTraining</c> runs such a config.
/// </summary>
public sealed record LanguageConfig
{
    /// <summary>"fortunes" (Debian's /usr/share/games/fortunes), or a file or folder read in <see cref="Format"/>. Defaults to fortunes.</summary>
    public string Corpus { get; init; } = "fortunes";
    /// <summary>
    /// Fortune files (categories, e.g. [computers, science]) to read from a fortunes folder. Defaults to null: every file,
    /// except that "fortunes" leaves out fortunes-zh's chinese, tang300 and song100, so it means Debian's English fortunes.
    /// </summary>
    public IReadOnlyList<string>? Categories { get; init; }
    /// <summary>How the corpus is read: fortunes (entries between '%' lines) or text (documents between blank lines; a folder's *.txt files). Defaults to fortunes.</summary>
    public string Format { get; init; } = "fortunes";
    /// <summary>char (one token per character, nanoGPT's shakespeare_char) or bpe (byte-level BPE trained on the training documents). Defaults to char.</summary>
    public string Tokenizer { get; init; } = "char";
    /// <summary>bpe: the vocabulary size to train to. Defaults to 512.</summary>
    public int VocabularySize { get; init; } = 512;
    /// <summary>Context length in tokens (the model's block size). Defaults to 64.</summary>
    public int BlockSize { get; init; } = 64;
    /// <summary>Transformer blocks. Defaults to 4.</summary>
    public int Layers { get; init; } = 4;
    /// <summary>Attention heads; must divide <see cref="Width"/>. Defaults to 4.</summary>
    public int Heads { get; init; } = 4;
    /// <summary>Embedding width. Defaults to 128.</summary>
    public int Width { get; init; } = 128;
    /// <summary>Dropout while training, in [0, 1). Defaults to 0.</summary>
    public double Dropout { get; init; }
    /// <summary>Biases in the linear layers and LayerNorms. Defaults to true.</summary>
    public bool Bias { get; init; } = true;
    /// <summary>Optimizer steps in the whole run (each of <see cref="TrainingConfig.AccumulateGradientBatches"/> batches). Defaults to 2000.</summary>
    public int MaxIters { get; init; } = 2000;
    /// <summary>Steps between validations (and checkpoints); <see cref="MaxIters"/> must be a multiple of it, or smaller. Defaults to 250.</summary>
    public int EvalInterval { get; init; } = 250;
    /// <summary>Validation batches (of <see cref="TrainingConfig.BatchSize"/> windows, drawn once from the validation documents). Defaults to 20.</summary>
    public int EvalIters { get; init; } = 20;
    /// <summary>
    /// Fine-tune a trained model with LoRA adapters instead of training from scratch (<see cref="LoraConfig"/>): the
    /// model and tokenizer are the base's, so the size fields above are taken from it. Defaults to null (left out of the
    /// JSON, so other configs keep their hash).
    /// </summary>
    public LoraConfig? Lora { get; init; }

    /// <summary>Steps per trainer epoch: <see cref="EvalInterval"/>, or the whole run when it is shorter.</summary>
    public int StepsPerEpoch => Math.Min(EvalInterval, MaxIters);

    /// <summary>Trainer epochs of the run: <see cref="MaxIters"/> / <see cref="StepsPerEpoch"/>.</summary>
    public int Epochs => MaxIters / StepsPerEpoch;

    /// <summary>Checks ranges and names; the message names the field. Returns the config.</summary>
    /// <exception cref="ArgumentException">A field is out of range or unknown.</exception>
    public LanguageConfig Validate()
    {
        if (string.IsNullOrWhiteSpace(Corpus))
            throw new ArgumentException("language.corpus is empty; give fortunes (Debian's fortunes package), or a fortune or text file or folder.");
        if (Format.Trim().ToLowerInvariant() is not ("fortunes" or "text"))
            throw new ArgumentException($"language.format '{Format}' is unknown; use fortunes ('%'-separated entries) or text (documents separated by blank lines).");
        if (Tokenizer.Trim().ToLowerInvariant() is not ("char" or "bpe"))
            throw new ArgumentException($"language.tokenizer '{Tokenizer}' is unknown; use char (one token per character) or bpe (byte-level BPE trained on the corpus).");
        if (VocabularySize < 257)
            throw new ArgumentException($"language.vocabularySize must be at least 257 (256 bytes and <|endoftext|>) for bpe; received {VocabularySize}.");
        foreach (var (name, value) in new[] { ("blockSize", BlockSize), ("layers", Layers), ("heads", Heads), ("width", Width), ("maxIters", MaxIters), ("evalInterval", EvalInterval), ("evalIters", EvalIters) })
            if (value < 1)
                throw new ArgumentException($"language.{name} must be at least 1; received {value}.");
        if (Width % Heads != 0)
            throw new ArgumentException($"language.heads must divide language.width; received width {Width}, heads {Heads}. Choose heads among the divisors of {Width}.");
        if (Dropout is < 0 or >= 1)
            throw new ArgumentException($"language.dropout must be in [0, 1); received {Dropout.ToString(CultureInfo.InvariantCulture)}.");
        if (MaxIters > EvalInterval && MaxIters % EvalInterval != 0)
            throw new ArgumentException($"language.maxIters ({MaxIters}) must be a multiple of language.evalInterval ({EvalInterval}) or at most it, since validation and checkpoints come every evalInterval steps; " +
                $"use maxIters {MaxIters / EvalInterval * EvalInterval} or {(MaxIters / EvalInterval + 1) * EvalInterval}, or another evalInterval.");
        return this;
    }
}
