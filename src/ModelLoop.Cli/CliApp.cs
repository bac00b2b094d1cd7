using System.CommandLine;
using ModelLoop.Cli.Commands;

namespace ModelLoop.Cli;

/// <summary>The `modelloop` command line: its commands, and the entry point that turns user errors into exit code 2.</summary>
public static class CliApp
{
    public static RootCommand Create() => new("ModelLoop: build, train, evaluate and ship deep-learning models from .NET.")
    {
        TrainCommand.Create(),
        DemoCommand.Create(),
        RunsCommand.Create(),
        ModelsCommand.Create(),
        EvalCommand.Create(),
        ServeCommand.Create(),
        UsageCommand.Create(),
        FeedbackCommand.Create(),
        DataCommand.Create(),
        RetrainCommand.Create(),
        MonitorCommand.Create(),
        ExportCommand.Create(),
        TuneCommand.Create(),
        OptimizeCommand.Create(),
        LmCommand.Create(),
        KeysCommand.Create(),
        FederateCommand.Create(),
        FederateClientCommand.Create(),
        UiCommand.Create(),
    };

    /// <summary>Runs the command line; returns 0 on success, 2 for an error the user can fix (printed in one line).</summary>
    public static int Run(string[] args)
    {
        // Every command can load int8 (ONNX-only) packages: eval, models, retrain (from their fp32 parent), demo, serve.
        Optimization.Runtime.OnnxRuntimeSupport.Register();
        // System.CommandLine's own handler would print the stack trace and return 1; ours prints one line and returns 2.
        return CliErrors.Run(() => Create().Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
    }
}
