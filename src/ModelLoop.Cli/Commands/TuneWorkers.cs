using System.Diagnostics;
using System.Reflection;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// The extra worker processes of <c>modelloop tune --workers N</c>: the same command line with the hidden --worker flag,
/// run by this executable (or, under a test host, by `dotnet ModelLoop.Cli.dll`). Their output goes to this console.
/// </summary>
internal sealed class TuneWorkers : IDisposable
{
    private readonly List<Process> _processes;

    private TuneWorkers(List<Process> processes) => _processes = processes;

    public static TuneWorkers Start(int count, IReadOnlyList<string> tokens)
    {
        var processes = new List<Process>();
        for (var i = 0; i < count; i++)
        {
            var info = Launcher();
            // The tokens after the command name; the worker runs the same study from the same storage.
            foreach (var token in tokens.Prepend("tune").Append("--worker"))
                info.ArgumentList.Add(token);
            info.UseShellExecute = false;
            processes.Add(Process.Start(info) ?? throw new InvalidOperationException($"Could not start a tune worker ({info.FileName})."));
        }
        return new TuneWorkers(processes);
    }

    public void WaitForAll()
    {
        foreach (var process in _processes)
        {
            process.WaitForExit();
            if (process.ExitCode != 0)
                AnsiConsole.MarkupLine($"[yellow]a tune worker (pid {process.Id}) exited with code {process.ExitCode}; its running trial is failed once its heartbeat goes stale.[/]");
        }
    }

    public void Dispose()
    {
        foreach (var process in _processes)
            process.Dispose();
    }

    /// <summary>This program itself when it is the modelloop executable, else the dotnet host running ModelLoop.Cli.dll.</summary>
    private static ProcessStartInfo Launcher()
    {
        var current = Environment.ProcessPath;
        var isHost = current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet";
        if (current is not null && !isHost && Assembly.GetEntryAssembly() == typeof(CliApp).Assembly)
            return new ProcessStartInfo(current);
        var host = isHost ? current! : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } sdk && File.Exists(sdk) ? sdk : "dotnet";
        var info = new ProcessStartInfo(host);
        info.ArgumentList.Add(typeof(CliApp).Assembly.Location);
        return info;
    }
}
