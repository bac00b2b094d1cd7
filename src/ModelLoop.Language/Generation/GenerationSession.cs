using ModelLoop.Language.Tokenization;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Transformers;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Language.Generation;

/// <summary>
/// One batch of prompts being generated, one <see cref="Step"/> (one forward, one token per row) at a time. Prompts of
/// different lengths are left-padded (with the end-of-text id, never attended to); each row's positions start at its
/// first real token. Rows finish on their own (end-of-text, a stop string, MaxNewTokens); finished rows ride along
/// until every row is done. Each step is self-contained (its own no_grad and dispose scope), so an async caller may
/// resume it on another thread.
/// </summary>
internal sealed class GenerationSession : IDisposable
{
    private readonly Model _model;
    private readonly GptDecoder _decoder;
    private readonly ITextTokenizer _tokenizer;
    private readonly GenerationOptions _options;
    private readonly Generator _generator;
    private readonly long[]? _padding;                 // per row, null when every prompt has the same length
    private readonly List<long>[] _sequences;          // per row: padding + prompt + generated (what a cacheless step feeds)
    private readonly List<int>[] _generated;
    private readonly int[] _promptLengths;
    private readonly TextStream[] _streams;
    private readonly FinishReason?[] _finished;
    private readonly KeyValueCache? _cache;
    private readonly Tensor? _seen;                    // (B, vocabulary) bool: tokens the repetition penalty applies to
    private int _steps;

    public GenerationSession(Model model, GptDecoder decoder, ITextTokenizer tokenizer, IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options)
    {
        (_model, _decoder, _tokenizer, _options) = (model, decoder, tokenizer, options);
        var rows = prompts.Count;
        var longest = prompts.Max(p => p.Count);
        for (var row = 0; row < rows; row++)
        {
            if (prompts[row].Count == 0)
                throw new ArgumentException($"Prompt {row} holds no tokens; start it with the end-of-text id at least.", nameof(prompts));
            if (prompts[row].Count + options.MaxNewTokens - 1 > decoder.BlockSize)
                throw new ArgumentException($"Prompt {row} holds {prompts[row].Count} tokens and MaxNewTokens is {options.MaxNewTokens}, which passes this model's block size of {decoder.BlockSize} (prompt + MaxNewTokens − 1 must fit). Lower MaxNewTokens to at most {decoder.BlockSize - prompts[row].Count + 1} or shorten the prompt.", nameof(prompts));
            foreach (var bad in prompts[row].Where(id => id < 0 || id >= decoder.VocabularySize).Take(1))
                throw new ArgumentException($"Prompt {row} holds token id {bad}, outside this model's vocabulary [0, {decoder.VocabularySize}). Encode prompts with the model's own tokenizer.", nameof(prompts));
        }
        _padding = prompts.All(p => p.Count == longest) ? null : [.. prompts.Select(p => (long)(longest - p.Count))];
        _sequences = [.. prompts.Select(p => Enumerable.Repeat((long)tokenizer.EndOfTextId, longest - p.Count).Concat(p.Select(id => (long)id)).ToList())];
        _promptLengths = [.. prompts.Select(p => p.Count)];
        _generated = [.. prompts.Select(_ => new List<int>())];
        _streams = [.. prompts.Select(_ => new TextStream(tokenizer, options.Stop))];
        _finished = new FinishReason?[rows];
        _generator = new Generator(unchecked((ulong)(options.Seed ?? Random.Shared.NextInt64())));
        if (options.UseCache)
            _cache = decoder.CreateCache(rows, longest + options.MaxNewTokens - 1); // the last token is never fed back
        if (options.RepetitionPenalty != 1.0)
        {
            _seen = zeros([rows, decoder.VocabularySize], ScalarType.Bool, model.Device).DetachFromDisposeScope();
            using var seen = true.ToScalar(); // explicit, alive past each native call (see LogitsProcessing's remarks)
            for (var row = 0; row < rows; row++)
                foreach (var id in prompts[row])
                {
                    using var cell = _seen[row, id];
                    cell.fill_(seen);
                }
        }
    }

    public bool Done => _finished.All(f => f is not null);

    public IReadOnlyList<GenerationResult> Results =>
        [.. Enumerable.Range(0, _finished.Length).Select(row => new GenerationResult(_streams[row].Text, _generated[row], _promptLengths[row], _finished[row] ?? FinishReason.Length))];

    /// <summary>One forward and one token per unfinished row; returns the text pieces it made safe to emit, by row.</summary>
    public IReadOnlyList<(int Row, string Piece)> Step()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var logits = NextTokenLogits();                                   // (B, vocabulary)
        var chosen = LogitsProcessing.Choose(logits, _seen, _options, _generator); // (B)
        _seen?.scatter_(1, chosen.unsqueeze(1), tensor(true, device: _seen.device).expand(chosen.shape[0], 1));
        var ids = chosen.cpu().data<long>().ToArray();
        _steps++;
        var pieces = new List<(int, string)>();
        for (var row = 0; row < ids.Length; row++)
        {
            _sequences[row].Add(ids[row]);
            if (_finished[row] is not null)
                continue;
            var id = (int)ids[row];
            string piece;
            if (_options.StopAtEndOfText && id == _tokenizer.EndOfTextId)
            {
                piece = _streams[row].Flush();
                _finished[row] = FinishReason.EndOfText;
            }
            else
            {
                _generated[row].Add(id);
                (piece, var stopped) = _streams[row].Add(id);
                if (stopped)
                    _finished[row] = FinishReason.Stop;
                else if (_generated[row].Count >= _options.MaxNewTokens)
                {
                    piece += _streams[row].Flush();
                    _finished[row] = FinishReason.Length;
                }
            }
            if (piece.Length > 0)
                pieces.Add((row, piece));
        }
        return pieces;
    }

    // The first step prefills the prompts; later steps feed the last token (cache) or the whole sequence (no cache).
    private Tensor NextTokenLogits()
    {
        var device = _model.Device;
        if (_cache is not null)
        {
            var input = _steps == 0
                ? Sequences(device)                                                                        // (B, longest prompt)
                : tensor(_sequences.Select(s => s[^1]).ToArray(), device: device).unsqueeze(1);            // (B, 1)
            return _decoder.Forward(input, _cache, _padding)[.., -1];
        }
        var all = Sequences(device);                                                                      // (B, T so far)
        if (_padding is null)
            return _model.Network.forward(all)[.., -1];                                                   // the training forward, prefix recomputed
        using var fresh = _decoder.CreateCache(all.shape[0], all.shape[1]);
        return _decoder.Forward(all, fresh, _padding)[.., -1];
    }

    private Tensor Sequences(Device device)
    {
        var rows = _sequences.Length;
        var flat = _sequences.SelectMany(s => s).ToArray();
        return tensor(flat, device: device).view(rows, flat.Length / rows);
    }

    public void Dispose()
    {
        _cache?.Dispose();
        _seen?.Dispose();
        _generator.Dispose();
    }
}
