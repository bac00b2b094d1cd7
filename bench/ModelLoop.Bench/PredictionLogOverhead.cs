using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelLoop.Artifacts;
using ModelLoop.Monitoring.Logging;
using ModelLoop.Native;
using ModelLoop.Serving;
using ModelLoop.Serving.Logging;

namespace ModelLoop.Bench;

/// <summary>
/// The prediction log's cost on serving: the server and load of <see cref="ServingLoad"/> (the seed's Keras CNN on
/// 1×28×28 images sent as base64 pixels, dynamic batching, metering on, closed-loop clients in the same process), one
/// server with the log enabled whose settings are switched while it runs: off (sampling rate 0: the request takes the
/// unlogged path), on with the defaults (input hash, monitored predictions, every request) and on keeping raw inputs
/// (3 KB of float32 per image). The modes take turns in short slices for the whole run, so a change in the machine's
/// load (other processes on shared cores) hits all of them alike; each completed request counts for the slice it ended
/// in. Prints each mode's requests/s and p50/p99 and the ratios to logging off (target ≥ 0.9×), measured in one run.
/// </summary>
internal static class PredictionLogOverhead
{
    private sealed record Mode(string Name, double SampleRate, InputStorage Inputs);

    public static int Run(BenchOptions options)
    {
        var threads = options.Int("threads", 1);
        var clients = options.Int("clients", 32);
        var seconds = options.Double("seconds", 60);
        var slice = options.Double("slice", 1);
        var warmup = options.Double("warmup", 3);
        var maxBatch = options.Int("max-batch", 32);
        var delayMs = options.Double("max-delay-ms", 2);
        var modelName = options.String("model", "keras-cnn");
        var logFolder = options.String("log-folder", "");
        TorchRuntime.EnsureLoaded();
        var folder = Directory.CreateTempSubdirectory("modelloop-log-bench-").FullName;
        Mode[] modes = [new("logging off", 0, InputStorage.Hash), new("logging on (hash, features)", 1, InputStorage.Hash), new("logging on (raw inputs)", 1, InputStorage.Raw)];
        try
        {
            using (var model = ServingLoad.CreateModel(modelName))
            {
                TorchRuntime.Threads = threads;
                ModelArtifact.Save(model, Path.Combine(folder, "models", ServingLoad.ModelRoute, "artifact"));
            }
            var app = ServingApp.Build(["--urls", "http://127.0.0.1:0"], builder =>
            {
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Serving:ModelsPath"] = Path.Combine(folder, "models"),
                    ["Serving:DatabasePath"] = Path.Combine(folder, "serving.db"),
                    ["Serving:RequireApiKeys"] = "false",
                    ["Serving:MaxBatchSize"] = maxBatch.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["Serving:MaxDelayMs"] = delayMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["Serving:QueueCapacity"] = "100000",
                    ["Serving:TorchThreads"] = threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["Serving:PredictionLog:Enabled"] = "true",
                    ["Serving:PredictionLog:Path"] = Path.Combine(logFolder.Length > 0 ? logFolder : folder, PredictionLog.DefaultFileName),
                });
            });
            app.StartAsync().GetAwaiter().GetResult();
            try
            {
                // The server reads these settings per request: switching them switches the mode of the next requests.
                var settings = app.Services.GetRequiredService<IOptions<PredictionLogOptions>>().Value;
                var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
                using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients * 2 }) { BaseAddress = address };
                Console.WriteLine($"Prediction log overhead: {modelName}, one 1×28×28 image per request, {clients} closed-loop clients, {warmup:F0} s warm-up + {seconds:F0} s in {slice} s slices taking turns, batches ≤ {maxBatch} within {delayMs} ms, {threads} libtorch threads, {Environment.ProcessorCount} cores (server and load generator share them)");
                var (counts, latencies, time, errors) = Load(http, ServingLoad.ImageBodies(), clients, modes, settings, warmup, seconds, slice);
                Console.WriteLine();
                Console.WriteLine($"{"mode",-32}{"req/s",10}{"p50 ms",10}{"p99 ms",10}");
                var rates = new double[modes.Length];
                for (var m = 0; m < modes.Length; m++)
                {
                    rates[m] = counts[m] / time[m];
                    latencies[m].Sort();
                    Console.WriteLine($"{modes[m].Name,-32}{rates[m],10:F0}{ServingLoad.Percentile(latencies[m], 0.5),10:F1}{ServingLoad.Percentile(latencies[m], 0.99),10:F1}");
                }
                Console.WriteLine($"errors: {errors}; rows in the log: {PredictionLog.OpenExisting(Path.Combine(logFolder.Length > 0 ? logFolder : folder, PredictionLog.DefaultFileName))!.Count().Requests}");
                for (var m = 1; m < modes.Length; m++)
                    Console.WriteLine($"throughput ratio {modes[m].Name} / logging off: {rates[m] / rates[0]:F2}× (target ≥ 0.9×)");
                return errors == 0 ? 0 : 1;
            }
            finally
            {
                app.StopAsync().GetAwaiter().GetResult();
                ((IAsyncDisposable)app).DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    // Closed loop: each client sends, waits, sends again. The main thread switches the mode every slice (turns
    // rotate through the modes); a request counts for the mode of the slice it completed in (-1 while warming up).
    private static (long[] Counts, List<double>[] LatenciesMs, double[] Seconds, int Errors) Load(HttpClient http, string[] bodies, int clients,
        Mode[] modes, PredictionLogOptions settings, double warmup, double seconds, double slice)
    {
        var counts = new long[modes.Length];
        var time = new double[modes.Length];
        var latencies = modes.Select(_ => new List<double>()).ToArray();
        var current = -1;
        var stop = false;
        var errors = 0;
        var perClient = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var i = c;
            while (!Volatile.Read(ref stop))
            {
                var start = Stopwatch.GetTimestamp();
                using var content = new StringContent(bodies[i++ % bodies.Length], System.Text.Encoding.UTF8, "application/json");
                using var response = await http.PostAsync($"/v1/models/{ServingLoad.ModelRoute}/predict", content);
                await response.Content.ReadAsByteArrayAsync();
                var mode = Volatile.Read(ref current);
                if (!response.IsSuccessStatusCode)
                    Interlocked.Increment(ref errors);
                else if (mode >= 0)
                {
                    Interlocked.Increment(ref counts[mode]);
                    lock (latencies[mode])
                        latencies[mode].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }
        })).ToArray();
        Thread.Sleep(TimeSpan.FromSeconds(warmup));
        var slices = (int)Math.Ceiling(seconds / slice);
        for (var s = 0; s < slices; s++)
        {
            var mode = s % modes.Length;
            settings.SampleRate = modes[mode].SampleRate;
            settings.Inputs = modes[mode].Inputs;
            var clock = Stopwatch.StartNew();
            Volatile.Write(ref current, mode);
            Thread.Sleep(TimeSpan.FromSeconds(slice));
            time[mode] += clock.Elapsed.TotalSeconds;
        }
        Volatile.Write(ref current, -1);
        Volatile.Write(ref stop, true);
        Task.WaitAll(perClient);
        return (counts, latencies, time, errors);
    }
}
