using System.Diagnostics;
using System.Net.Http.Json;

namespace ModelLoop.Serving.Tests;

/// <summary>The server as a child process, for the tests that kill it (SIGKILL) under load.</summary>
internal static class ServerProcess
{
    /// <summary>Starts the server (ModelLoop.Serving.dll) on a free loopback port, keyless, with <paramref name="settings"/> added.</summary>
    public static Process Start(string models, string database, params string[] settings)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ModelLoop.Serving.dll");
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        string[] arguments = [dll, "--urls", "http://127.0.0.1:0", $"--Serving:ModelsPath={models}", $"--Serving:DatabasePath={database}", "--Serving:RequireApiKeys=false", .. settings];
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        return Process.Start(info)!;
    }

    /// <summary>
    /// Runs <paramref name="clients"/> closed-loop clients predicting on "iris" and kills the server (SIGKILL) once
    /// <paramref name="killAfter"/> requests were answered, or at the first error response. Returns the request ids of
    /// every answered request and that error, if any.
    /// </summary>
    public static async Task<(IReadOnlyCollection<string> Acknowledged, string? Failure)> KillUnderLoad(Process child, HttpClient http, int clients, int killAfter)
    {
        var acknowledged = new System.Collections.Concurrent.ConcurrentQueue<string>();
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
                        continue;
                    }
                    acknowledged.Enqueue(response.Headers.GetValues("X-Request-Id").Single());
                    if (acknowledged.Count >= killAfter && !killed.IsCancellationRequested)
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
        return (acknowledged, failure);
    }

    // Kestrel logs "Now listening on: http://127.0.0.1:PORT" once it accepts connections.
    public static async Task<string> ReadAddress(Process child)
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
