using System.Diagnostics;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Native;
using ModelLoop.Artifacts;
using ModelLoop.Tracking;
using ModelLoop.Registry;

namespace ModelLoop.Bench;

/// <summary>
/// Costs of the registry stage: saving and loading (with full verification) a ResNet-18 artifact, plain and
/// encrypted; alias promotions and metric-logging transactions per second (SQLite WAL, synchronous=FULL,
/// so each commit waits for the disk); and how fast a server can poll an alias.
/// </summary>
internal static class RegistryBench
{
    public static int Run(BenchOptions options)
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.Threads = options.Int("threads", 2);
        var rounds = options.Int("rounds", 200);
        var root = Path.Combine(Path.GetTempPath(), "modelloop-bench-registry-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var model = ModelZoo.ResNet18(new Shape(3, 32, 32), 10);
            var megabytes = model.ParameterCount * 4 / 1e6;
            Console.WriteLine($"Registry: ResNet-18 (3×32×32, {model.ParameterCount:N0} parameters, ~{megabytes:F0} MB), {rounds} transactions each, {TorchRuntime.Threads} threads");
            var key = ArtifactEncryptionKey.Generate();
            foreach (var (label, save) in new[] { ("plain", new ArtifactSaveOptions()), ("AES-GCM", new ArtifactSaveOptions { EncryptionKey = key }) })
            {
                var path = Path.Combine(root, label);
                double saveSeconds = double.MaxValue, loadSeconds = double.MaxValue;
                for (var round = 0; round < 3; round++) // best of 3: the first pays for page cache and allocator warm-up
                {
                    var clock = Stopwatch.StartNew();
                    ModelArtifact.Save(model, path, options: save with { Overwrite = true });
                    saveSeconds = Math.Min(saveSeconds, clock.Elapsed.TotalSeconds);
                    clock.Restart();
                    using (ModelArtifact.Load(path, new ArtifactLoadOptions { EncryptionKey = key }))
                    {
                    }
                    loadSeconds = Math.Min(loadSeconds, clock.Elapsed.TotalSeconds);
                }
                Console.WriteLine($"  artifact {label,-8} save {saveSeconds * 1000,7:F0} ms ({megabytes / saveSeconds,6:F0} MB/s)   load+verify+build {loadSeconds * 1000,7:F0} ms ({megabytes / loadSeconds,6:F0} MB/s)");
            }

            var registry = new ModelRegistry(Path.Combine(root, "home"));
            registry.Register("m", Path.Combine(root, "plain"));
            registry.Register("m", Path.Combine(root, "plain"));
            Report("promotions (SetAlias)", rounds, i => registry.SetAlias("m", "production", 1 + i % 2, "bench"));
            Report("alias polls (GetAliasVersion)", rounds * 10, _ => registry.GetAliasVersion("m", "production"));
            var store = new RunStore(Path.Combine(root, "home"));
            var run = store.StartRun("bench");
            var values = Enumerable.Range(0, 8).ToDictionary(k => $"metric{k}", k => (double)k);
            Report("metric steps (8 values each)", rounds, i => store.LogMetrics(run, i, values));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
        return 0;
    }

    private static void Report(string what, int count, Action<int> action)
    {
        action(count); // warm-up: opens the pool, caches statements
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
            action(i);
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"  {what,-32} {count / seconds,8:F0} /s   ({seconds * 1000 / count:F2} ms each)");
    }
}
