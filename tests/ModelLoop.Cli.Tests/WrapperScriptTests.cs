using System.Diagnostics;

namespace ModelLoop.Cli.Tests;

/// <summary>The <c>./modelloop</c> script at the repository root, which the README's commands are run with.</summary>
public sealed class WrapperScriptTests
{
    [Fact]
    public async Task TheModelloopScriptAtTheRepositoryRootRunsTheCommandLineAndListsItsCommands()
    {
        var script = Path.Combine(RepositoryRoot(), "modelloop");
        Assert.True(File.Exists(script), $"{script} is missing.");
        Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(script).HasFlag(UnixFileMode.UserExecute), $"{script} is not executable (chmod +x modelloop).");
        if (OperatingSystem.IsWindows())
            return; // a bash script

        var start = new ProcessStartInfo(script, "--help") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        // Normally the built CLI answers at once; a stale build is rebuilt by `dotnet run` first.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}: {await error}");
        var help = await output;
        Assert.All(new[] { "train", "eval", "demo", "models", "runs", "serve", "data" }, command => Assert.Contains($"  {command} ", help));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ModelLoop.slnx")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"ModelLoop.slnx not found above the test folder ({AppContext.BaseDirectory}).");
    }
}
