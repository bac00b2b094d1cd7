using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace ModelLoop.Cli.Tests.Federated;

/// <summary>
/// The built command line (ModelLoop.Cli.dll, copied into the test folder by the project reference) as a child process
/// with its output collected line by line, so a test can wait for a line, kill it, and show everything it printed when
/// an assertion fails. Disposing kills it (and its children) if it still runs.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _newLine = new(0);
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _openStreams = 2;

    private CliProcess(string name, IEnumerable<string> arguments)
    {
        Name = name;
        var dll = Path.Combine(AppContext.BaseDirectory, "ModelLoop.Cli.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing; the test project references ModelLoop.Cli so the build copies it there.");
        var info = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        // One OpenMP thread per process: several of them share the test machine's cores.
        info.Environment["OMP_NUM_THREADS"] = "1";
        info.Environment["NO_COLOR"] = "1";
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Receive(e.Data, "");
        _process.ErrorDataReceived += (_, e) => Receive(e.Data, "stderr: ");
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>Everything it printed so far, stdout and stderr interleaved, each line stamped with the seconds since it started, stderr lines marked.</summary>
    public string Output => string.Join('\n', _lines);

    public static CliProcess Start(string name, params string[] arguments) => new(name, arguments);

    /// <summary>Waits for a line matching <paramref name="match"/>; fails (with its output) when it exits or <paramref name="timeout"/> passes first.</summary>
    public async Task<string> WaitForLine(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        var seen = 0;
        while (true)
        {
            var lines = _lines.ToArray();
            for (; seen < lines.Length; seen++)
                if (match(lines[seen]))
                    return lines[seen];
            if (_outputClosed.Task.IsCompleted)
                Assert.Fail($"{Name} exited (code {ExitCode}) before printing {what}. Its output:\n{Output}");
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                Assert.Fail($"{Name} did not print {what} within {timeout.TotalSeconds:0} s. Its output:\n{Output}");
            await Task.WhenAny(_newLine.WaitAsync(left), _outputClosed.Task);
        }
    }

    /// <summary>Waits for it to exit and returns its exit code; fails (with its output) after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{Name} did not exit within {timeout.TotalSeconds:0} s. Its output:\n{Output}");
        }
        await _outputClosed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return _process.ExitCode;
    }

    /// <summary>SIGKILL (on Unix): no finally blocks, no goodbye to the coordinator.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
    }

    private void Receive(string? line, string prefix)
    {
        if (line is null)
        {
            if (Interlocked.Decrement(ref _openStreams) == 0)
                _outputClosed.TrySetResult();
        }
        else
        {
            _lines.Enqueue(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,6:0.0} s] {prefix}{line}"));
        }
        _newLine.Release();
    }

    public void Dispose()
    {
        try
        {
            Kill();
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // never started, or already reaped
        }
        _process.Dispose();
        // _newLine is not disposed: a late output event may still release it (it holds no wait handle).
    }

    private static string DotnetHost()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
            return current;
        var sdkHost = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(sdkHost) && File.Exists(sdkHost) ? sdkHost : "dotnet";
    }

    /// <summary>Every process's output, for an assertion message.</summary>
    public static string Describe(IEnumerable<CliProcess> processes)
    {
        var text = new StringBuilder();
        foreach (var process in processes)
            text.Append("---- ").Append(process.Name).Append(process.HasExited ? $" (exit {process.ExitCode})" : " (running)").Append('\n').Append(process.Output).Append('\n');
        return text.ToString();
    }
}
