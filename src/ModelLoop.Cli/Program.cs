using System.CommandLine;
using ModelLoop.Cli.Commands;

var root = new RootCommand("ModelLoop: build, train, evaluate and ship deep-learning models from .NET.")
{
    TrainCommand.Create(),
    DemoCommand.Create(),
};
return CliErrors.Run(() => root.Parse(args).Invoke());
