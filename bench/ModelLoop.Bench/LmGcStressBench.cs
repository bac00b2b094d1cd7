using System.Diagnostics;
using ModelLoop.Language.Generation;
using ModelLoop.Language.Tokenization;
using ModelLoop.Modeling.Transformers;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Native;
using static TorchSharp.torch;

namespace ModelLoop.Bench;

/// <summary>
/// A reproduction check, not a speed figure: generation under garbage-collector stress. A TorchSharp Scalar made by an
/// implicit conversion (logits * penalty, masked_fill(mask, -∞), arange(n)) is a temporary with a finalizer; once the
/// native call has its handle, the JIT may treat the temporary as dead, and a collection on another thread can free the
/// c10::Scalar while libtorch still reads it (seen once as a "Scalar.h toFloat" error in the server). Here one thread
/// generates (sampling with top-k, top-p and a repetition penalty through <see cref="TextGenerator"/>, and greedy slotted
/// decoding through <see cref="GptDecoder.ForwardRows"/>, the scheduler's path) while --gc-threads threads force
/// collections and finalizers in a loop. Every output must equal the one computed before the stress started (same seeds);
/// reports exceptions and mismatches. Run with DOTNET_GCgen0size=0x10000 to collect more often still.
/// Options: --rounds 200 --new-tokens 48 --gc-threads 1 --threads 1 --traces (print each error's first stack trace).
/// </summary>
internal static class LmGcStressBench
{
    public static int Run(BenchOptions options)
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.Threads = options.Int("threads", 1);
        var rounds = options.Int("rounds", 200);
        var newTokens = options.Int("new-tokens", 48);
        var tokenizer = CharTokenizer.FromCorpus([new string([.. Enumerable.Range(32, 95).Select(c => (char)c), '\n'])]);
        random.manual_seed(7);
        using var model = SequenceZoo.Gpt(tokenizer.VocabularySize, 128, layers: 2, heads: 4, width: 64);
        var generator = new TextGenerator(model, tokenizer);
        var sampling = new GenerationOptions { MaxNewTokens = newTokens, Temperature = 0.9, TopK = 20, TopP = 0.9, RepetitionPenalty = 1.3, StopAtEndOfText = false, Seed = 5 };
        string[] prompts = ["Once upon a time", "Q: why?", "The "];
        var decoder = GptDecoder.For(model);
        var sampled = generator.Generate(prompts, sampling).Select(r => r.Text).ToArray();
        var slotted = Slotted(decoder, tokenizer, prompts, newTokens);

        using var stop = new CancellationTokenSource();
        long collections = 0;
        var stressers = Enumerable.Range(0, options.Int("gc-threads", 1)).Select(_ => new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.KeepAlive(new byte[64 * 1024]); // garbage, so the collections have work
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Interlocked.Increment(ref collections);
            }
        }) { IsBackground = true }).ToList();
        stressers.ForEach(t => t.Start());
        var errors = new Dictionary<string, int>();
        int mismatches = 0, runs = 0;
        var clock = Stopwatch.StartNew();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (path, run) in new (string, Func<bool>)[]
            {
                ("sampled", () => generator.Generate(prompts, sampling).Select(r => r.Text).SequenceEqual(sampled)),
                ("slotted", () => Slotted(decoder, tokenizer, prompts, newTokens).SequenceEqual(slotted)),
            })
            {
                try
                {
                    runs++;
                    if (!run())
                        mismatches++;
                }
                catch (Exception e)
                {
                    var key = $"{path}: {e.GetType().Name}: {e.Message.Split('\n')[0]}";
                    if (errors.TryAdd(key, 0) && options.Flag("traces"))
                        Console.WriteLine($"first {key}\n{e.StackTrace}");
                    errors[key]++;
                }
            }
            if ((round + 1) % 20 == 0)
                Console.WriteLine($"  {round + 1} rounds, {Interlocked.Read(ref collections)} forced collections, {errors.Values.Sum()} errors, {mismatches} mismatches, {clock.Elapsed.TotalSeconds:F0} s");
        }
        stop.Cancel();
        stressers.ForEach(t => t.Join());
        Console.WriteLine($"lm-gc-stress: {runs} generations ({rounds} rounds × sampled batch of {prompts.Length} + slotted greedy), {Interlocked.Read(ref collections)} forced collections " +
            $"(DOTNET_GCgen0size={Environment.GetEnvironmentVariable("DOTNET_GCgen0size") ?? "default"}): {errors.Values.Sum()} exceptions, {mismatches} outputs differing from the unstressed run");
        foreach (var (message, count) in errors)
            Console.WriteLine($"  {count} × {message}");
        return errors.Count == 0 && mismatches == 0 ? 0 : 1;
    }

    // The scheduler's decoding path without its retry: each prompt prefilled into its own row of a slotted cache, then
    // every row advanced one greedy token per step in one forward.
    private static string[] Slotted(GptDecoder decoder, ITextTokenizer tokenizer, string[] prompts, int newTokens)
    {
        using var cache = decoder.CreateSlots(prompts.Length, decoder.BlockSize);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var generated = prompts.Select(_ => new List<int>()).ToArray();
        for (var row = 0; row < prompts.Length; row++)
        {
            var prompt = tensor(tokenizer.Encode(prompts[row]).Select(id => (long)id).ToArray()).unsqueeze(0); // (1, P)
            generated[row].Add((int)decoder.ForwardRows(prompt, cache, row)[0, -1].argmax().item<long>());
        }
        for (var step = 1; step < newTokens; step++)
        {
            var last = tensor(generated.Select(g => (long)g[^1]).ToArray()).unsqueeze(1);                  // (n, 1)
            var next = decoder.ForwardRows(last, cache, 0)[.., -1].argmax(-1).data<long>().ToArray();     // (n)
            for (var row = 0; row < prompts.Length; row++)
                generated[row].Add((int)next[row]);
        }
        return [.. generated.Select(g => tokenizer.Decode(g))];
    }
}
