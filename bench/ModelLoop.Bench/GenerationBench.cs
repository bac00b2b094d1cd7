using System.Diagnostics;
using ModelLoop.Language.Generation;
using ModelLoop.Language.Tokenization;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Native;
using static TorchSharp.torch;

namespace ModelLoop.Bench;

/// <summary>
/// Generation speed of nanoGPT's CPU-sized GPT (4 layers, 4 heads, width 128; block 256, a character vocabulary of
/// printable ASCII + newline + end-of-text = 97 tokens; random weights, which cost the same as trained ones): greedy
/// tokens/s at --new-tokens with the KV cache against recomputing the whole prefix each step (the model's plain
/// forward), interleaved round by round, medians; and time to first token (prefill + one step, through the streaming
/// API) for a 1-token and a --prompt-tokens prompt.
/// </summary>
internal static class GenerationBench
{
    public static int Run(BenchOptions options)
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.Threads = options.Int("threads", 1); // one sequence per step is latency-bound; extra threads only contend on a shared machine
        var rounds = options.Int("rounds", 3);
        var newTokens = options.Int("new-tokens", 256);
        var block = options.Int("block", 256);
        var promptTokens = options.Int("prompt-tokens", 128);
        var tokenizer = CharTokenizer.FromCorpus([new string([.. Enumerable.Range(32, 95).Select(c => (char)c), '\n'])]);
        random.manual_seed(1);
        using var model = SequenceZoo.Gpt(tokenizer.VocabularySize, block, layers: 4, heads: 4, width: 128);
        var generator = new TextGenerator(model, tokenizer);
        var greedy = new GenerationOptions { Temperature = 0, MaxNewTokens = newTokens, StopAtEndOfText = false };
        Console.WriteLine($"GPT 4 layers × 4 heads × width 128, block {block}, vocabulary {tokenizer.VocabularySize}, {TorchRuntime.Threads} thread(s); greedy, {newTokens} new tokens from a 1-token prompt, {rounds} rounds");

        generator.Generate("\n", greedy with { MaxNewTokens = 8 }); // warm-up (allocations, kernels)
        var cached = new List<double>();
        var recomputed = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            cached.Add(Seconds(() => generator.Generate("\n", greedy)));
            recomputed.Add(Seconds(() => generator.Generate("\n", greedy with { UseCache = false })));
            Console.WriteLine($"  round {round + 1}: cache {newTokens / cached[^1]:F0} tokens/s, recompute {newTokens / recomputed[^1]:F0} tokens/s");
        }
        var (withCache, without) = (newTokens / Median(cached), newTokens / Median(recomputed));
        Console.WriteLine($"tokens/s with KV cache {withCache:F0}, recomputing the prefix {without:F0}: {withCache / without:F1}× faster");

        var longPrompt = new string([.. Enumerable.Range(0, promptTokens).Select(i => (char)('a' + i % 26))]);
        foreach (var prompt in new[] { "\n", longPrompt })
        {
            var times = new List<double>();
            for (var round = 0; round < Math.Max(rounds, 5); round++)
                times.Add(Seconds(() => generator.StreamAsync(prompt, greedy with { MaxNewTokens = 1 }).ToBlockingEnumerable().First()));
            Console.WriteLine($"time to first token, {tokenizer.Encode(prompt).Count}-token prompt: {Median(times) * 1000:F1} ms (median of {times.Count})");
        }
        return 0;
    }

    private static double Seconds(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
