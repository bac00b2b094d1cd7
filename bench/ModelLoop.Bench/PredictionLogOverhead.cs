using ModelLoop.Artifacts;
using ModelLoop.Native;

namespace ModelLoop.Bench;

/// <summary>
/// The prediction log's cost on serving: the same server and load as <see cref="ServingLoad"/> (the seed's Keras CNN on
/// 1×28×28 images, base64 pixels, dynamic batching, metering on; closed-loop clients in the same process) with the log
/// off, on with the default settings (input hash, monitored predictions, every request), and on keeping raw inputs
/// (3 KB of float32 per image). Each logged request is answered only after its row committed (group commit,
/// synchronous=FULL). Rounds alternate the modes; medians are reported, with each logged mode's throughput ratio to
/// logging off (target ≥ 0.9×).
/// </summary>
internal static class PredictionLogOverhead
{
    public static int Run(BenchOptions options)
    {
        var threads = options.Int("threads", 1);
        var rounds = options.Int("rounds", 3);
        var clients = options.Int("clients", 32);
        var seconds = options.Double("seconds", 10);
        var warmup = options.Double("warmup", 2);
        var maxBatch = options.Int("max-batch", 32);
        var delayMs = options.Double("max-delay-ms", 2);
        var modelName = options.String("model", "keras-cnn");
        TorchRuntime.EnsureLoaded();
        var folder = Directory.CreateTempSubdirectory("modelloop-log-bench-").FullName;
        try
        {
            using (var model = ServingLoad.CreateModel(modelName))
            {
                TorchRuntime.Threads = threads;
                ModelArtifact.Save(model, Path.Combine(folder, "models", ServingLoad.ModelRoute, "artifact"));
            }
            var source = new Dictionary<string, string?> { ["Serving:ModelsPath"] = Path.Combine(folder, "models") };
            var bodies = ServingLoad.ImageBodies();
            (string Mode, Dictionary<string, string?> Settings)[] modes =
            [
                ("logging off", new() { ["Serving:PredictionLog:Enabled"] = "false" }),
                ("logging on (hash, features)", new() { ["Serving:PredictionLog:Enabled"] = "true", ["Serving:PredictionLog:Path"] = Path.Combine(folder, "hash.db") }),
                ("logging on (raw inputs)", new() { ["Serving:PredictionLog:Enabled"] = "true", ["Serving:PredictionLog:Inputs"] = "Raw", ["Serving:PredictionLog:Path"] = Path.Combine(folder, "raw.db") }),
            ];
            Console.WriteLine($"Prediction log overhead: {modelName}, one 1×28×28 image per request, {clients} closed-loop clients, {warmup:F0} s warm-up + {seconds:F0} s per mode, {rounds} rounds, batches ≤ {maxBatch} within {delayMs} ms, {threads} libtorch threads, {Environment.ProcessorCount} cores");
            var results = modes.Select(_ => new List<ServingLoad.Result>()).ToArray();
            for (var round = 0; round < rounds; round++)
            {
                for (var m = 0; m < modes.Length; m++)
                    results[m].Add(ServingLoad.Measure(modes[m].Mode, folder, source, bodies, maxBatch, delayMs, threads, clients, warmup, seconds, modes[m].Settings));
            }
            var medians = results.Select(ServingLoad.Median).ToArray();
            Console.WriteLine();
            Console.WriteLine($"{"mode",-32}{"req/s",10}{"p50 ms",10}{"p99 ms",10}{"CPU %",8}{"errors",8}");
            foreach (var r in medians)
                Console.WriteLine($"{r.Mode,-32}{r.Throughput,10:F0}{r.P50Ms,10:F1}{r.P99Ms,10:F1}{r.CpuPercent,8:F0}{r.Errors,8}");
            for (var m = 1; m < medians.Length; m++)
                Console.WriteLine($"throughput ratio {medians[m].Mode} / logging off: {medians[m].Throughput / medians[0].Throughput:F2}× (target ≥ 0.9×)");
            return medians.Sum(r => r.Errors) == 0 ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
