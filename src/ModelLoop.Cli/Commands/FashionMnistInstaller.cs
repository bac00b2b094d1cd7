using System.Diagnostics;
using ModelLoop.Data;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// Makes sure Fashion-MNIST is on the machine: it is a Debian package (dataset-fashion-mnist), so on a
/// Debian/Ubuntu machine run as root it installs it; elsewhere it says what to do.
/// </summary>
internal static class FashionMnistInstaller
{
    public static void Ensure(string directory)
    {
        if (HasFiles(directory))
            return;
        if (directory != FashionMnist.DefaultDirectory || !OperatingSystem.IsLinux() || !File.Exists("/usr/bin/apt-get") || Environment.UserName != "root")
            throw new DirectoryNotFoundException(
                $"Fashion-MNIST is not in '{directory}'. Install it with `sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), " +
                "or pass --data with a folder holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz.");
        AnsiConsole.MarkupLine("[yellow]Fashion-MNIST is missing:[/] installing Debian's dataset-fashion-mnist package…");
        if (!AptGet("install -y -q dataset-fashion-mnist"))
        {
            AptGet("update -q");
            if (!AptGet("install -y -q dataset-fashion-mnist"))
                throw new DirectoryNotFoundException("`apt-get install dataset-fashion-mnist` failed; see its output above. Install the package by hand, or pass --data with a folder of Fashion-MNIST IDX files.");
        }
        if (!HasFiles(directory))
            throw new DirectoryNotFoundException($"dataset-fashion-mnist was installed but '{directory}' still lacks the IDX files. Pass --data with the folder that holds them.");
    }

    private static bool HasFiles(string directory) =>
        Directory.Exists(directory) && new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" }
            .All(f => File.Exists(Path.Combine(directory, f)) || File.Exists(Path.Combine(directory, f + ".gz")));

    private static bool AptGet(string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("apt-get", arguments) { UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not start apt-get.");
        process.WaitForExit();
        return process.ExitCode == 0;
    }
}
