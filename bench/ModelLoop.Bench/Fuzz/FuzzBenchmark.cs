using System.Diagnostics;
using ModelLoop.Native;

namespace ModelLoop.Bench.Fuzz;

/// <summary>`fuzz`: runs <see cref="ParserFuzzer"/> over every parser and prints how many inputs ran without a crash.</summary>
internal static class FuzzBenchmark
{
    public static int Run(BenchOptions options)
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.Threads = options.Int("threads", 2);
        var inputs = options.Int("inputs", 20_000);
        var seed = options.Int("seed", 1);
        var only = options.String("target", "");
        var scratch = Path.Combine(Path.GetTempPath(), "modelloop-fuzz-" + Guid.NewGuid().ToString("N"));
        var crashed = 0;
        try
        {
            Console.WriteLine($"Fuzz: {inputs:N0} inputs per parser, seed {seed} (deterministic mutation fuzzing, no coverage feedback)");
            Console.WriteLine($"{"parser",-14} {"inputs",9} {"parsed",9} {"rejected",9} {"crashes",8} {"inputs/s",9}");
            foreach (var target in ParserFuzzer.Targets(scratch).Where(t => t.Name.StartsWith(only, StringComparison.Ordinal)))
            {
                var clock = Stopwatch.StartNew();
                var result = ParserFuzzer.Run(target, inputs, seed);
                Console.WriteLine($"{result.Target,-14} {result.Inputs,9:N0} {result.Parsed,9:N0} {result.Rejected,9:N0} {result.Crashes.Count,8:N0} {result.Inputs / clock.Elapsed.TotalSeconds,9:N0}");
                foreach (var crash in result.Crashes.Take(5))
                    Console.WriteLine("  " + crash);
                crashed += result.Crashes.Count;
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
        Console.WriteLine(crashed == 0 ? "No crashes: every input parsed or was rejected with a documented exception." : $"{crashed} crash(es).");
        return crashed == 0 ? 0 : 1;
    }
}
