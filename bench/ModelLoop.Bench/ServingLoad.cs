using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelLoop.Artifacts;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Native;
using ModelLoop.Serving;

namespace ModelLoop.Bench;

/// <summary>
/// Dynamic batching against one-request-one-forward, on loopback: the real server (Kestrel, API pipeline,
/// metering in SQLite) serving the seed's Keras CNN (random weights) on 1×28×28 images, and a closed-loop
/// load generator in the same process — N clients, each sending one image (base64 pixels) and waiting for
/// the answer before the next. Both modes see the same load; prints requests/s, p50/p99 latency and the
/// process's CPU use (server and load generator together), then the throughput ratio. <c>--model tabular-raw</c>
/// serves instead a tabular classifier from a model registry, each request one raw record run through the
/// artifact's fitted pipeline on the server (<see cref="ServingRawRecords"/>).
/// </summary>
internal static class ServingLoad
{
    private sealed record Result(string Mode, double Throughput, int Errors, double P50Ms, double P99Ms, double CpuPercent);

    public static int Run(BenchOptions options)
    {
        var threads = options.Int("threads", 1); // the server's default (ServingOptions.TorchThreads)
        var rounds = options.Int("rounds", 1);
        var clients = options.Int("clients", 64);
        var seconds = options.Double("seconds", 10);
        var warmup = options.Double("warmup", 2);
        var maxBatch = options.Int("max-batch", 32);
        var delayMs = options.Double("max-delay-ms", 2);
        var modelName = options.String("model", "keras-cnn");
        TorchRuntime.EnsureLoaded();
        var folder = Directory.CreateTempSubdirectory("modelloop-serving-bench-").FullName;
        try
        {
            Dictionary<string, string?> source;
            string[] bodies;
            string input;
            if (modelName == "tabular-raw")
            {
                TorchRuntime.Threads = threads;
                var raw = ServingRawRecords.Prepare(folder);
                Console.WriteLine($"Raw-record encoding alone (the artifact's pipeline, {raw.Columns} columns → {raw.Features} features): {raw.EncodeMicroseconds:F1} µs per record");
                (source, bodies, input) = (new() { ["Serving:RegistryHome"] = raw.RegistryHome }, raw.Bodies, $"one raw record of {raw.Columns} columns (strings, numbers, nulls) from the registry");
            }
            else
            {
                using (var model = CreateModel(modelName))
                {
                    TorchRuntime.Threads = threads;
                    var single = ForwardMicroseconds(model, 1);
                    var full = ForwardMicroseconds(model, maxBatch);
                    Console.WriteLine($"Forward alone: {single:F0} µs per item at batch 1, {full / maxBatch:F0} µs per item at batch {maxBatch} ({single * maxBatch / full:F1}× less per item)");
                    // A run folder as `modelloop train --out` writes it: the model package in RUN/artifact.
                    ModelArtifact.Save(model, Path.Combine(folder, "models", ModelRoute, "artifact"));
                }
                (source, bodies, input) = (new() { ["Serving:ModelsPath"] = Path.Combine(folder, "models") }, ImageBodies(), "one 1×28×28 image (base64 pixels)");
            }
            Console.WriteLine($"Serving load: {modelName}, {input} per request, {clients} closed-loop clients, {warmup:F0} s warm-up + {seconds:F0} s, {threads} libtorch threads, {Environment.ProcessorCount} cores (server and load generator share them)");
            // Rounds alternate the two modes so a change in the machine's load hits both; medians are reported.
            var baselines = new List<Result>();
            var batcheds = new List<Result>();
            for (var round = 0; round < rounds; round++)
            {
                baselines.Add(Measure("one request, one forward", folder, source, bodies, 1, 0, threads, clients, warmup, seconds));
                batcheds.Add(Measure($"dynamic batching (≤{maxBatch}, {delayMs} ms)", folder, source, bodies, maxBatch, delayMs, threads, clients, warmup, seconds));
            }
            var baseline = Median(baselines);
            var batched = Median(batcheds);
            Console.WriteLine();
            Console.WriteLine($"{"mode",-36}{"req/s",10}{"p50 ms",10}{"p99 ms",10}{"CPU %",8}{"errors",8}");
            foreach (var r in new[] { baseline, batched })
                Console.WriteLine($"{r.Mode,-36}{r.Throughput,10:F0}{r.P50Ms,10:F1}{r.P99Ms,10:F1}{r.CpuPercent,8:F0}{r.Errors,8}");
            Console.WriteLine($"throughput ratio batched / baseline: {batched.Throughput / baseline.Throughput:F2}× (target ≥ 3×), p99 {batched.P99Ms:F1} ms vs {baseline.P99Ms:F1} ms");
            return baseline.Errors + batched.Errors == 0 ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    // Both the image models and the raw-record model are served under this name.
    internal const string ModelRoute = "cnn";

    internal static string[] ImageBodies()
    {
        var random = new Random(5);
        return Enumerable.Range(0, 64).Select(_ =>
        {
            var pixels = new byte[28 * 28];
            random.NextBytes(pixels);
            return JsonContent.Create(new { image = Convert.ToBase64String(pixels) }).ReadAsStringAsync().GetAwaiter().GetResult();
        }).ToArray();
    }

    // keras-cnn: the seed's CNN (~0.9 M multiply-adds per image); mlp: 784 → 1024 → 1024 → 10 (1.8 M
    // parameters, 7 MB: weights read once per forward, so batching reuses them); wide-mlp: 784 → 2048 → 2048
    // → 10 (5.8 M parameters, 23 MB: beyond the caches, a single-item forward is memory-bound); tiny: 784 → 10
    // (the HTTP ceiling).
    internal static Sequential CreateModel(string name) => name switch
    {
        "keras-cnn" => ModelZoo.KerasCnn(new Shape(1, 28, 28), 10),
        "mlp" => new Sequential(1, 28, 28) { new Flatten(), new Dense(1024, Activation.Relu), new Dense(1024, Activation.Relu), new Dense(10) },
        "wide-mlp" => new Sequential(1, 28, 28) { new Flatten(), new Dense(2048, Activation.Relu), new Dense(2048, Activation.Relu), new Dense(10) },
        "tiny" => new Sequential(1, 28, 28) { new Flatten(), new Dense(10) },
        _ => throw new ArgumentException($"--model expects keras-cnn, mlp, wide-mlp, tiny or tabular-raw; received '{name}'."),
    };

    private static Result Measure(string mode, string folder, Dictionary<string, string?> source, string[] bodies, int maxBatch, double delayMs, int threads, int clients, double warmup, double seconds)
    {
        var app = ServingApp.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Configuration.AddInMemoryCollection(source);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Serving:DatabasePath"] = Path.Combine(folder, $"bench-{maxBatch}.db"),
                ["Serving:RequireApiKeys"] = "false",
                ["Serving:MaxBatchSize"] = maxBatch.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Serving:MaxDelayMs"] = delayMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Serving:QueueCapacity"] = "100000",
                ["Serving:TorchThreads"] = threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        });
        app.StartAsync().GetAwaiter().GetResult();
        try
        {
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients * 2 }) { BaseAddress = address };
            Load(http, bodies, clients, TimeSpan.FromSeconds(warmup), measure: false);
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var (latencies, errors) = Load(http, bodies, clients, TimeSpan.FromSeconds(seconds), measure: true);
            var wall = clock.Elapsed.TotalSeconds;
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds / wall / Environment.ProcessorCount * 100;
            latencies.Sort();
            var result = new Result(mode, latencies.Count / wall, errors, Percentile(latencies, 0.50), Percentile(latencies, 0.99), cpu);
            Console.WriteLine($"  {mode}: {result.Throughput:F0} req/s, p50 {result.P50Ms:F1} ms, p99 {result.P99Ms:F1} ms, CPU {cpu:F0}%, {errors} errors");
            return result;
        }
        finally
        {
            app.StopAsync().GetAwaiter().GetResult();
            ((IAsyncDisposable)app).DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    // Closed loop: each client sends, waits for the answer, sends again, until the time is up.
    private static (List<double> LatenciesMs, int Errors) Load(HttpClient http, string[] bodies, int clients, TimeSpan duration, bool measure)
    {
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var errors = 0;
        var perClient = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var latencies = new List<double>();
            var i = c;
            while (Stopwatch.GetTimestamp() < until)
            {
                var start = Stopwatch.GetTimestamp();
                using var content = new StringContent(bodies[i++ % bodies.Length], System.Text.Encoding.UTF8, "application/json");
                using var response = await http.PostAsync($"/v1/models/{ModelRoute}/predict", content);
                await response.Content.ReadAsByteArrayAsync();
                if (!response.IsSuccessStatusCode)
                    Interlocked.Increment(ref errors);
                else if (measure)
                    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            return latencies;
        })).ToArray();
        Task.WaitAll(perClient);
        return (perClient.SelectMany(t => t.Result).ToList(), errors);
    }

    // The model's forward pass alone (no HTTP), median of 15 timings of `batch` items, in microseconds.
    private static double ForwardMicroseconds(Sequential model, int batch)
    {
        var network = model.Network;
        network.eval();
        using var _ = TorchSharp.torch.no_grad();
        using var input = TorchSharp.torch.rand(model.InputShape.WithBatch(batch));
        var times = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            using var scope = TorchSharp.torch.NewDisposeScope();
            var clock = Stopwatch.StartNew();
            network.forward(input);
            if (i >= 5)
                times.Add(clock.Elapsed.TotalMicroseconds);
        }
        return times.Order().ElementAt(times.Count / 2);
    }

    private static Result Median(List<Result> results)
    {
        double Mid(Func<Result, double> f) => results.Select(f).Order().ElementAt(results.Count / 2);
        return new Result(results[0].Mode, Mid(r => r.Throughput), results.Sum(r => r.Errors), Mid(r => r.P50Ms), Mid(r => r.P99Ms), Mid(r => r.CpuPercent));
    }

    internal static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
