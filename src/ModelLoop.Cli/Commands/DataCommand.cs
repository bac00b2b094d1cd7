using System.CommandLine;

namespace ModelLoop.Cli.Commands;

/// <summary><c>modelloop data inspect|prepare</c>: look at a table, then turn it into a versioned, split dataset.</summary>
internal static class DataCommand
{
    public static Command Create() => new("data", "Inspect a CSV/TSV table, or prepare it into versioned train/validation/test splits with a fitted pipeline.")
    {
        DataInspectCommand.Create(),
        DataPrepareCommand.Create(),
    };
}
