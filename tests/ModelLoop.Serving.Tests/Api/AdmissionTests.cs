using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ModelLoop.Serving.Api;

namespace ModelLoop.Serving.Tests.Api;

public sealed class AdmissionTests
{
    private static object Digits(int images) => new { images = Enumerable.Range(0, images).Select(_ => Convert.ToBase64String(new byte[64])).ToArray() };

    [Fact]
    public async Task A_request_that_would_decode_past_the_per_request_bound_gets_413_naming_how_many_items_fit()
    {
        // digits is 1×8×8: 64 floats per item, kept twice (item and batch) = 512 bytes; 1,200 bytes hold 2 items.
        using var server = new ServerHost(new() { ["Serving:MaxDecodedBytesPerRequest"] = "1200" });
        using var client = server.Client();

        var fits = await client.PostAsJsonAsync("/v1/models/digits/predict", Digits(2));
        var tooMany = await client.PostAsJsonAsync("/v1/models/digits/predict", Digits(3));

        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        var detail = await BadInputTests.AssertProblem(tooMany, 413, "MaxDecodedBytesPerRequest");
        Assert.Contains("at most 2 items", detail);
    }

    [Fact]
    public async Task A_model_at_its_in_flight_bound_sheds_a_request_with_503_before_reading_its_body()
    {
        using var server = new ServerHost();
        // Kestrel, so a handler runs while its body is still arriving.
        await using var app = await KestrelLoadTests.StartKestrel(server, new() { ["Serving:RequireApiKeys"] = "false", ["Serving:MaxInFlightBytesPerModel"] = "1000" });
        using var client = new HttpClient { BaseAddress = KestrelLoadTests.Address(app) };
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/v1/models/iris/predict", new { inputs = new[] { new[] { 5f, 3f, 1f, 0f } } })).StatusCode);

        // A holds 900 bytes of the bound (twice its 450-byte body) while its body is still arriving.
        var holding = new StalledBody("{\"inputs\": [[5, 3, 1, 0]]}".PadRight(450));
        var first = client.PostAsync("/v1/models/iris/predict", holding);
        var gate = app.Services.GetRequiredService<AdmissionGate>();
        for (var wait = 0; gate.InFlightBytes("iris") < 900 && wait < 400; wait++)
            await Task.Delay(50); // until A's handler has reserved its body
        Assert.Equal(900, gate.InFlightBytes("iris"));
        // B sends its headers and 10 of its 200 body bytes, then nothing: an answer at all shows the body was not read.
        var shed = await HeadersOfARequestWhoseBodyNeverArrives(KestrelLoadTests.Address(app), "/v1/models/iris/predict", 200).WaitAsync(TimeSpan.FromSeconds(20));
        holding.Finish();
        var answered = await first.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.StartsWith("HTTP/1.1 503", shed[0]);
        Assert.Contains(shed, line => line.StartsWith("Retry-After:", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(0, gate.InFlightBytes("iris"));
    }

    // The status line and headers of a POST whose body stops after 10 bytes, over a raw socket (HttpClient waits for its body).
    private static async Task<List<string>> HeadersOfARequestWhoseBodyNeverArrives(Uri server, string path, int contentLength)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        var head = $"POST {path} HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: application/json\r\nContent-Length: {contentLength}\r\n\r\n{{\"inputs\":";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var lines = new List<string>();
        while (await reader.ReadLineAsync() is { Length: > 0 } line)
            lines.Add(line);
        return lines;
    }

    [Fact]
    public async Task Version_spellings_share_one_cache_entry_and_nonsense_gets_400_with_the_accepted_forms()
    {
        using var server = new ServerHost();
        using var client = server.Client();
        var body = new { inputs = new[] { new[] { 5f, 3f, 1f, 0f } } };

        foreach (var spelling in (string[])["2", "02", "v2", "V002", "  2"])
        {
            var response = await client.PostAsJsonAsync($"/v1/models/iris/predict?version={Uri.EscapeDataString(spelling)}", body);
            Assert.Equal("2", (await response.Content.ReadFromJsonAsync<Contracts.PredictResponse>())!.Version);
        }
        var nonsense = await client.PostAsJsonAsync("/v1/models/iris/predict?version=..%2Fetc", body);
        var metadata = await client.GetAsync("/v1/models/iris?version=%20");

        Assert.Equal(1, server.Host.ResolvedCount);
        var detail = await BadInputTests.AssertProblem(nonsense, 400, "version number");
        Assert.Contains("latest", detail);
        await BadInputTests.AssertProblem(metadata, 400, "version number");
    }

    // A request body that sends its first bytes, then waits until Finish: the server may answer before reading it all.
    private sealed class StalledBody(string text) : HttpContent
    {
        private readonly byte[] _bytes = Encoding.UTF8.GetBytes(text);
        private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Finish() => _finish.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(_bytes.AsMemory(0, 10));
            await stream.FlushAsync();
            Started.TrySetResult();
            await _finish.Task;
            await stream.WriteAsync(_bytes.AsMemory(10));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _bytes.Length;
            return true;
        }
    }
}
