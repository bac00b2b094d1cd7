using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace ModelLoop.Tests.Training;

/// <summary>
/// Runs ModelLoop.Tests.TrainChild.dll (copied into the test output folder by the project reference) with
/// `dotnet`, collecting its output lines as they come.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly BlockingCollection<string> _pending = new();
    private readonly List<string> _lines = new();
    private readonly StringBuilder _errors = new();

    private ChildProcess(Process process) => _process = process;

    public static ChildProcess Start(params string[] arguments) => StartProgram("ModelLoop.Tests.TrainChild.dll", arguments);

    /// <summary>Starts another child program copied into the test folder by a project reference (e.g. the registry child).</summary>
    public static ChildProcess StartProgram(string dllName, params string[] arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, dllName);
        Assert.True(File.Exists(dll), $"{dll} is missing; ModelLoop.Tests.csproj references its project so the build copies it there.");
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        var child = new ChildProcess(new Process { StartInfo = info });
        child._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                child._pending.CompleteAdding();
            else
                child._pending.Add(e.Data);
        };
        child._process.ErrorDataReceived += (_, e) =>
        {
            lock (child._errors)
                child._errors.AppendLine(e.Data);
        };
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Blocks until the child prints <paramref name="expected"/>; fails if it exits or times out first.</summary>
    public void WaitForLine(string expected)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                Assert.Fail($"The child did not print '{expected}' within {Patience.TotalSeconds} s. {Transcript()}");
            try
            {
                if (!_pending.TryTake(out var line, left))
                    continue;
                _lines.Add(line);
                if (line == expected)
                    return;
            }
            catch (InvalidOperationException)
            {
                _process.WaitForExit();
                Assert.Fail($"The child exited (code {_process.ExitCode}) before printing '{expected}'. {Transcript()}");
            }
        }
    }

    /// <summary>Waits for a normal exit with code 0 and returns every line printed.</summary>
    public IReadOnlyList<string> WaitForExit()
    {
        if (!_process.WaitForExit(Patience))
            Assert.Fail($"The child did not finish within {Patience.TotalSeconds} s. {Transcript()}");
        _process.WaitForExit(); // drains the output events
        _lines.AddRange(_pending.GetConsumingEnumerable());
        Assert.True(_process.ExitCode == 0, $"The child exited with code {_process.ExitCode}. {Transcript()}");
        return _lines;
    }

    /// <summary>SIGKILL: no chance to finish a write or run a finally block.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            Kill();
        _process.Dispose();
        _pending.Dispose();
    }

    private string Transcript()
    {
        lock (_errors)
            return $"Output so far: [{string.Join(" | ", _lines)}]. Errors: {_errors}";
    }

    private static string DotnetHost()
    {
        // The test host usually runs under the same dotnet; otherwise take the one the SDK names, or PATH's.
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
            return current;
        var sdkHost = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(sdkHost) && File.Exists(sdkHost) ? sdkHost : "dotnet";
    }
}
