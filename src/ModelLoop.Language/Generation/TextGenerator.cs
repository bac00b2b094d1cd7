using System.Runtime.CompilerServices;
using ModelLoop.Language.Tokenization;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Transformers;

namespace ModelLoop.Language.Generation;

/// <summary>
/// Text generation with a GPT (<see cref="ModelLoop.Modeling.Zoo.SequenceZoo.Gpt"/>) and its tokenizer: the prompt is
/// prefilled in one forward, then each step feeds one token through a key/value cache (<see cref="GptDecoder"/>).
/// Greedy, temperature, top-k, top-p, repetition penalty, stop sequences, end-of-text, seed (<see cref="GenerationOptions"/>);
/// several prompts of different lengths in one batch; streamed text pieces that never split a character.
/// An empty prompt starts from the end-of-text token, as GPT-2 does for unconditional samples. Not thread-safe: one
/// generation at a time per generator.
/// </summary>
public sealed class TextGenerator
{
    private readonly Model _model;
    private readonly GptDecoder _decoder;

    /// <summary>A generator for <paramref name="model"/> (one Gpt layer) and the tokenizer it was trained with. Puts the model in evaluation mode (no dropout).</summary>
    /// <exception cref="ArgumentException">The model is not a GPT, or its vocabulary is smaller than the tokenizer's.</exception>
    public TextGenerator(Model model, ITextTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        _decoder = GptDecoder.For(model);
        if (tokenizer.VocabularySize > _decoder.VocabularySize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabularySize} tokens but the model's vocabulary holds {_decoder.VocabularySize}. Use the tokenizer the model was trained with.", nameof(tokenizer));
        _model = model;
        Tokenizer = tokenizer;
        model.Network.eval();
    }

    /// <summary>The tokenizer prompts are encoded with.</summary>
    public ITextTokenizer Tokenizer { get; }

    /// <summary>The longest context (prompt + new tokens − 1) the model takes.</summary>
    public long BlockSize => _decoder.BlockSize;

    /// <summary>Generates a continuation of <paramref name="prompt"/>.</summary>
    public GenerationResult Generate(string prompt, GenerationOptions? options = null) => Generate([prompt], options)[0];

    /// <summary>Generates a continuation of every prompt in one batch (one forward per step for all of them).</summary>
    public IReadOnlyList<GenerationResult> Generate(IReadOnlyList<string> prompts, GenerationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        return GenerateTokens([.. prompts.Select(Encode)], options);
    }

    /// <summary>As <see cref="Generate(IReadOnlyList{string}, GenerationOptions?)"/> for prompts already encoded (each at least one token).</summary>
    public IReadOnlyList<GenerationResult> GenerateTokens(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions? options = null)
    {
        using var session = Start(prompts, options);
        while (!session.Done)
            session.Step();
        return session.Results;
    }

    /// <summary>
    /// Streams the continuation of <paramref name="prompt"/> as text pieces as they are generated: a piece never ends
    /// inside a UTF-8 character (bytes are held until the character completes) and never contains any part of a stop string.
    /// </summary>
    public async IAsyncEnumerable<string> StreamAsync(string prompt, GenerationOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var session = Start([Encode(prompt)], options);
        while (!session.Done)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var (_, piece) in session.Step())
                yield return piece;
            await Task.Yield(); // let the consumer write the piece before the next forward
        }
    }

    private IReadOnlyList<int> Encode(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var ids = Tokenizer.Encode(prompt);
        return ids.Count > 0 ? ids : [Tokenizer.EndOfTextId];
    }

    private GenerationSession Start(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions? options)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0)
            throw new ArgumentException("No prompts were given; pass at least one.", nameof(prompts));
        options ??= new GenerationOptions();
        options.Validate();
        return new GenerationSession(_model, _decoder, Tokenizer, prompts, options);
    }
}
