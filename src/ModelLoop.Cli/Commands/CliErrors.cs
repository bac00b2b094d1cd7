using ModelLoop.Modeling;
using ModelLoop.Native;
using ModelLoop.Training;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>Turns the errors a user can fix into one red line and exit code 2, instead of a stack trace.</summary>
internal static class CliErrors
{
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or DirectoryNotFoundException or FormatException
                                      or InvalidDataException or ModelBuildException or TorchRuntimeException or TrainingDivergedException
                                      or InvalidOperationException
                                      or KeyNotFoundException) // registry and run store: unknown model, version, alias or run
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return 2;
        }
    }
}
