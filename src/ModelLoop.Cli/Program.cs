return ModelLoop.Cli.CliApp.Run(args);
