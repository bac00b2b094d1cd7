using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelLoop.Language.Packaging;
using ModelLoop.Language.Tokenization;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Native;
using ModelLoop.Serving;
using static TorchSharp.torch;

namespace ModelLoop.Bench;

/// <summary>
/// Continuous batching in the real server (Kestrel on loopback, the API pipeline, SSE): aggregate completion tokens/s of
/// --streams concurrent streaming /v1/completions clients against one client, on nanoGPT's CPU-sized GPT (4 layers,
/// 4 heads, width 128, block 256, a 97-character vocabulary; random weights, which cost what trained ones cost), greedy,
/// --new-tokens per request. Each client sends --requests streams one after another; tokens are counted from each
/// stream's usage chunk. The two sides alternate which goes first per round; the ratio is of the medians.
/// </summary>
internal static class LmServeBench
{
    private const string ModelName = "bench-gpt";

    private static double _lastTokensPerRequest;

    public static int Run(BenchOptions options)
    {
        TorchRuntime.EnsureLoaded();
        var threads = options.Int("threads", 1);
        var streams = options.Int("streams", 8);
        var newTokens = options.Int("new-tokens", 128);
        var requests = options.Int("requests", 2);
        var rounds = options.Int("rounds", 3);
        var folder = Directory.CreateTempSubdirectory("lm-serve-bench").FullName;
        try
        {
            var tokenizer = CharTokenizer.FromCorpus([new string([.. Enumerable.Range(32, 95).Select(c => (char)c), '\n'])]);
            random.manual_seed(1);
            using (var model = SequenceZoo.Gpt(tokenizer.VocabularySize, 256, layers: 4, heads: 4, width: 128))
                LanguageModelPackage.Save(model, tokenizer, Path.Combine(folder, "models", ModelName, "1"));
            var app = ServingApp.Build(["--urls", "http://127.0.0.1:0"], builder =>
            {
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Serving:DatabasePath"] = Path.Combine(folder, "bench.db"),
                    ["Serving:ModelsPath"] = Directory.CreateDirectory(Path.Combine(folder, "runs")).FullName, // no predict models, only the language model
                    ["Serving:RequireApiKeys"] = "false",
                    ["Serving:TorchThreads"] = threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["Serving:Language:ModelsPath"] = Path.Combine(folder, "models"),
                    ["Serving:Language:MaxSequences"] = Math.Max(streams, 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                });
            });
            app.StartAsync().GetAwaiter().GetResult();
            try
            {
                var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
                using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = streams * 2 }) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(10) };
                Console.WriteLine($"GPT 4 layers × 4 heads × width 128, block 256, random weights; {TorchRuntime.Threads} torch thread(s); greedy, {newTokens} new tokens per request, {requests} requests per client, {rounds} rounds");
                Measure(http, 1, 1, 8); // warm-up: load the model, first kernels
                var one = new List<double>();
                var many = new List<double>();
                for (var round = 0; round < rounds; round++)
                {
                    // Alternate which side goes first, so a drift in the machine's load favours neither.
                    if (round % 2 == 0)
                    {
                        one.Add(Measure(http, 1, requests, newTokens));
                        many.Add(Measure(http, streams, requests, newTokens));
                    }
                    else
                    {
                        many.Add(Measure(http, streams, requests, newTokens));
                        one.Add(Measure(http, 1, requests, newTokens));
                    }
                    Console.WriteLine($"  round {round + 1}: 1 stream {one[^1]:F0} tokens/s, {streams} streams {many[^1]:F0} tokens/s ({_lastTokensPerRequest:F0} tokens per request)");
                }
                var (single, batched) = (Median(one), Median(many));
                Console.WriteLine($"aggregate tokens/s: 1 stream {single:F0}, {streams} concurrent streams {batched:F0}: ratio {batched / single:F2}×");
                // Each round's two sides ran back to back, so their ratio sees one load; its spread says how far to trust the median.
                var paired = many.Zip(one, (m, o) => m / o).ToList();
                Console.WriteLine($"per-round ratio: median {Median(paired):F2}×, range {paired.Min():F2}–{paired.Max():F2}× over {rounds} rounds; 1 stream {one.Min():F0}–{one.Max():F0}, {streams} streams {many.Min():F0}–{many.Max():F0} tokens/s");
            }
            finally
            {
                app.StopAsync().GetAwaiter().GetResult();
                ((IAsyncDisposable)app).DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // `clients` concurrent clients, each streaming `requests` completions in turn; returns completion tokens per second of wall time.
    private static double Measure(HttpClient http, int clients, int requests, int newTokens)
    {
        var clock = Stopwatch.StartNew();
        var tokens = Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            var total = 0L;
            for (var r = 0; r < requests; r++)
                total += await Stream(http, $"Request {r} of client {client}: once upon a time", newTokens);
            return total;
        }))).GetAwaiter().GetResult().Sum();
        _lastTokensPerRequest = tokens / (double)(clients * requests); // below --new-tokens when a stream ended at end-of-text
        return tokens / clock.Elapsed.TotalSeconds;
    }

    // One streamed completion, read to [DONE]; its completion tokens from the usage chunk.
    private static async Task<long> Stream(HttpClient http, string prompt, int newTokens)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = JsonContent.Create(new { model = ModelName, prompt, max_tokens = newTokens, temperature = 0, stream = true, stream_options = new { include_usage = true } }),
        };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var tokens = 0L;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal))
                continue;
            using var chunk = JsonDocument.Parse(line.AsMemory(6));
            if (chunk.RootElement.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                tokens = usage.GetProperty("completion_tokens").GetInt64();
        }
        return tokens;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
