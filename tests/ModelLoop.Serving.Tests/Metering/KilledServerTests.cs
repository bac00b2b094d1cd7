using System.Diagnostics;
using System.Net.Http.Json;
using ModelLoop.Serving.Metering;

namespace ModelLoop.Serving.Tests.Metering;

/// <summary>The server process killed (SIGKILL) under load: every answered request is in the usage database.</summary>
public sealed class KilledServerTests
{
    [Fact]
    public async Task EveryAcknowledgedRequestIsCountedAfterTheServerIsKilled()
    {
        using var host = new ServerHost(); // only its models folder is used; the server is a child process
        var database = Path.Combine(Path.GetDirectoryName(host.DatabasePath)!, "killed.db");
        using var child = StartServer(host.ModelsPath, database);
        var address = await ReadAddress(child);
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        const int clients = 8;
        var acknowledged = 0;
        string? failure = null;
        using var killed = new CancellationTokenSource();

        async Task Client()
        {
            while (!killed.IsCancellationRequested)
            {
                try
                {
                    var response = await http.PostAsJsonAsync("/v1/models/iris/predict", new { input = new[] { 1f, 2f, 3f, 4f } }, killed.Token);
                    if (!response.IsSuccessStatusCode)
                    {
                        failure ??= $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
                        child.Kill(entireProcessTree: true);
                        await killed.CancelAsync();
                    }
                    else if (Interlocked.Increment(ref acknowledged) >= 150 && !killed.IsCancellationRequested)
                    {
                        child.Kill(entireProcessTree: true);
                        await killed.CancelAsync();
                    }
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                {
                    return; // the server is gone
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(Client)));
        await child.WaitForExitAsync();

        Assert.Null(failure);
        // A server that died or never answered would leave 0 acknowledged and 0 counted, which the range below accepts.
        Assert.True(acknowledged >= 150, $"Only {acknowledged} requests were answered before the server went away; the kill was meant to come after 150.");
        var counted = UsageReport.Read(database).Sum(r => r.Requests);
        Assert.InRange(counted, acknowledged, acknowledged + clients); // requests in flight may be committed but unanswered
    }

    private static Process StartServer(string models, string database)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ModelLoop.Serving.dll");
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var argument in new[] { dll, "--urls", "http://127.0.0.1:0", $"--Serving:ModelsPath={models}", $"--Serving:DatabasePath={database}", "--Serving:RequireApiKeys=false" })
            info.ArgumentList.Add(argument);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        return Process.Start(info)!;
    }

    // Kestrel logs "Now listening on: http://127.0.0.1:PORT" once it accepts connections.
    private static async Task<string> ReadAddress(Process child)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            var at = line.IndexOf("Now listening on: ", StringComparison.Ordinal);
            if (at >= 0)
            {
                _ = child.StandardOutput.ReadToEndAsync(); // keep draining so the child never blocks on a full pipe
                _ = child.StandardError.ReadToEndAsync();
                return line[(at + "Now listening on: ".Length)..].Trim();
            }
        }
        throw new InvalidOperationException($"The server exited before listening: {await child.StandardError.ReadToEndAsync()}");
    }

    private static string DotnetHost()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
            return current;
        var sdkHost = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(sdkHost) && File.Exists(sdkHost) ? sdkHost : "dotnet";
    }
}
