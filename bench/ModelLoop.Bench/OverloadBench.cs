using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using ModelLoop.Artifacts;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Native;

namespace ModelLoop.Bench;

/// <summary>
/// The server under overload, as a process of its own (`modelloop serve --models DIR --no-keys`) so its memory is its
/// own: (1) <c>--overload-clients</c> (2,000) clients at once, each sending <c>--requests</c> requests of <c>--items</c>
/// 1×64×64 images (raw pixels, base64; ~2 MiB once decoded per request) — every answer must be 200, 429 or 503, the
/// server's peak RSS (the kernel's VmHWM) is reported against <c>--memory-bound-mb</c>, and the items metered in its usage
/// table must equal the items of the 200 answers; (2) throughput of <c>--clients</c> (32) closed-loop clients sending one
/// image each, against this checkout's server and, with <c>--baseline PATH</c>, another build's (rounds alternate the two, and which goes first; medians).
/// </summary>
internal static class OverloadBench
{
    private const string Model = "overload";
    private const int Side = 64;

    public static int Run(BenchOptions options)
    {
        var server = options.String("server", "src/ModelLoop.Cli/bin/Release/net10.0/ModelLoop.Cli");
        var baseline = options.String("baseline", "");
        var overloadClients = options.Int("overload-clients", 2000);
        var requests = options.Int("requests", 3);
        var items = options.Int("items", 64);
        var boundMb = options.Double("memory-bound-mb", 1536);
        var clients = options.Int("clients", 32);
        var seconds = options.Double("seconds", 10);
        var warmup = options.Double("warmup", 2);
        var rounds = options.Int("rounds", 3);
        var folder = Directory.CreateTempSubdirectory("modelloop-overload-bench-").FullName;
        try
        {
            TorchRuntime.EnsureLoaded();
            using (var model = new Sequential(1, Side, Side) { new Flatten(), new Dense(10) })
                ModelArtifact.Save(model, Path.Combine(folder, "models", Model, "artifact"));
            var failures = 0;

            Console.WriteLine($"Overload: {overloadClients} clients at once × {requests} requests of {items} images 1×{Side}×{Side} against {server}");
            using (var process = ServerProcess.Start(server, folder, "overload"))
            {
                var (statuses, okItems) = Overload(process.Address, overloadClients, requests, items);
                var peakMb = process.PeakRssMb();
                process.Dispose();
                var metered = MeteredItems(process.Database) - ServerProcess.WarmUpItems;
                var unexpected = statuses.Where(p => p.Key is not (200 or 429 or 503)).Sum(p => p.Value);
                Console.WriteLine($"  answers: {string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Value} × {(p.Key == 0 ? "no answer" : p.Key.ToString(CultureInfo.InvariantCulture))}"))}");
                Console.WriteLine($"  server peak RSS {peakMb:F0} MiB (bound {boundMb:F0} MiB): {(peakMb <= boundMb ? "within" : "OVER")}");
                Console.WriteLine($"  items metered {metered} (the start's warm-up request left out) vs items answered with 200: {okItems}: {(metered == okItems ? "none lost" : "MISMATCH")}");
                failures += (unexpected > 0 ? 1 : 0) + (peakMb > boundMb ? 1 : 0) + (metered != okItems ? 1 : 0);
            }

            var ours = new List<double>();
            var theirs = new List<double>();
            var oursCpu = new List<double>();
            var theirsCpu = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                // The side that runs first in a round read ~3% low in an A/A control (same build both sides): the
                // order alternates per round so the bias cancels in the median instead of landing on one side.
                var baselineFirst = baseline.Length > 0 && round % 2 == 1;
                if (baselineFirst)
                    Add(theirs, theirsCpu, Throughput(baseline, folder, $"baseline-{round}", clients, warmup, seconds));
                Add(ours, oursCpu, Throughput(server, folder, $"ours-{round}", clients, warmup, seconds));
                if (baseline.Length > 0 && !baselineFirst)
                    Add(theirs, theirsCpu, Throughput(baseline, folder, $"baseline-{round}", clients, warmup, seconds));
            }
            var median = ours.Order().ElementAt(ours.Count / 2);
            Console.WriteLine($"Throughput, {clients} closed-loop clients, one image per request: {median:F0} req/s (rounds: {string.Join(", ", ours.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))})");
            if (theirs.Count > 0)
            {
                var reference = theirs.Order().ElementAt(theirs.Count / 2);
                Console.WriteLine($"  baseline {baseline}: {reference:F0} req/s (rounds: {string.Join(", ", theirs.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))})");
                var pairs = ours.Zip(theirs, (a, b) => a / b).Order().ToList();
                Console.WriteLine($"  ratio ours / baseline: {median / reference:F2} (medians), per round {string.Join(", ", pairs.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))}");
                var cpuPairs = oursCpu.Zip(theirsCpu, (a, b) => a / b).Order().ToList();
                Console.WriteLine($"  server CPU per request, ours / baseline: {Median(oursCpu):F0} / {Median(theirsCpu):F0} µs = {Median(oursCpu) / Median(theirsCpu):F2} (medians), per round {string.Join(", ", cpuPairs.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))}");
            }
            return failures == 0 ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Add(List<double> rates, List<double> cpu, (double Rate, double CpuMicroseconds) measured)
    {
        rates.Add(measured.Rate);
        cpu.Add(measured.CpuMicroseconds);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static string Body(int items, int seed)
    {
        var random = new Random(seed);
        var images = Enumerable.Range(0, items).Select(_ =>
        {
            var pixels = new byte[Side * Side];
            random.NextBytes(pixels);
            return Convert.ToBase64String(pixels);
        }).ToArray();
        return JsonContent.Create(new { images }).ReadAsStringAsync().GetAwaiter().GetResult();
    }

    // Every client at once; a status of 0 means no answer (connection error).
    private static (Dictionary<int, int> Statuses, long OkItems) Overload(Uri address, int clients, int requests, int items)
    {
        var body = Body(items, 1);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients * 2 }) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(5) };
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        long ok = 0;
        var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            for (var r = 0; r < requests; r++)
            {
                var status = 0;
                try
                {
                    using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
                    using var response = await http.PostAsync($"/v1/models/{Model}/predict", content);
                    await response.Content.ReadAsByteArrayAsync();
                    status = (int)response.StatusCode;
                }
                catch (HttpRequestException)
                {
                }
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (status == 200)
                    Interlocked.Add(ref ok, items);
            }
        })).ToArray();
        start.Set();
        Task.WaitAll(tasks);
        return (new Dictionary<int, int>(statuses), ok);
    }

    private static long MeteredItems(string database)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(SUM(items), 0) FROM usage";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    // Requests answered per second, and the server's CPU time per request (µs) over the same window.
    private static (double Rate, double CpuMicroseconds) Throughput(string server, string folder, string name, int clients, double warmup, double seconds)
    {
        using var process = ServerProcess.Start(server, folder, name);
        var bodies = Enumerable.Range(0, 64).Select(i => Body(1, i)).ToArray();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients * 2 }) { BaseAddress = process.Address };
        ClosedLoop(http, bodies, clients, warmup);
        var cpu = process.CpuTime();
        var clock = Stopwatch.StartNew();
        var answered = ClosedLoop(http, bodies, clients, seconds);
        var rate = answered / clock.Elapsed.TotalSeconds;
        // The server's CPU per answer reads through the load of a shared machine far better than req/s does (other
        // jobs take wall time, not the server's CPU time): it says where a difference in throughput comes from.
        var cpuPerRequest = (process.CpuTime() - cpu).TotalMilliseconds * 1000 / Math.Max(1, answered);
        Console.WriteLine($"  {name}: {rate:F0} req/s, server CPU {cpuPerRequest:F0} µs per request");
        return (rate, cpuPerRequest);
    }

    private static long ClosedLoop(HttpClient http, string[] bodies, int clients, double seconds)
    {
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        long ok = 0;
        var tasks = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var i = c;
            while (Stopwatch.GetTimestamp() < until)
            {
                using var content = new StringContent(bodies[i++ % bodies.Length], System.Text.Encoding.UTF8, "application/json");
                using var response = await http.PostAsync($"/v1/models/{Model}/predict", content);
                await response.Content.ReadAsByteArrayAsync();
                if (response.StatusCode == HttpStatusCode.OK)
                    Interlocked.Increment(ref ok);
            }
        })).ToArray();
        Task.WaitAll(tasks);
        return ok;
    }

    /// <summary>`SERVER serve --models DIR --no-keys` on a free loopback port, its own database; killed on dispose.</summary>
    private sealed class ServerProcess : IDisposable
    {
        private readonly Process _process;

        private ServerProcess(Process process, Uri address, string database) => (_process, Address, Database) = (process, address, database);

        /// <summary>Items of the request that loads the model at start (metered like any other).</summary>
        public const int WarmUpItems = 1;

        public Uri Address { get; }
        public string Database { get; }

        public static ServerProcess Start(string server, string folder, string name)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }
            var address = new Uri($"http://127.0.0.1:{port}");
            var database = Path.Combine(folder, name + ".db");
            var info = new ProcessStartInfo(server)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in (string[])["serve", "--models", Path.Combine(folder, "models"), "--no-keys", "--urls", address.ToString().TrimEnd('/'), "--db", database, "--threads", "1"])
                info.ArgumentList.Add(arg);
            var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start '{server}'.");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var http = new HttpClient { BaseAddress = address };
            for (var wait = 0; ; wait++)
            {
                try
                {
                    if (http.GetAsync("/health/live").GetAwaiter().GetResult().IsSuccessStatusCode)
                        break;
                }
                catch (HttpRequestException) when (wait < 600 && !process.HasExited)
                {
                }
                Thread.Sleep(100);
            }
            // The model loads on its first request: do it before any measurement.
            using var first = new StringContent(Body(WarmUpItems, 0), System.Text.Encoding.UTF8, "application/json");
            http.PostAsync($"/v1/models/{Model}/predict", first).GetAwaiter().GetResult().EnsureSuccessStatusCode();
            return new ServerProcess(process, address, database);
        }

        /// <summary>The server process's CPU time so far (user + system, all threads).</summary>
        public TimeSpan CpuTime()
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }

        /// <summary>The process's peak resident set (VmHWM in /proc/PID/status), in MiB.</summary>
        public double PeakRssMb()
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }

        private bool _disposed;

        public void Dispose()
        {
            if (_disposed)
                return;
            _disposed = true;
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
            _process.Dispose();
        }
    }
}
