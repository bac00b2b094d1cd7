using ModelLoop.Monitoring.Retraining;
using ModelLoop.Monitoring.Tests.Retraining;
using ModelLoop.Registry;
using Spectre.Console;

namespace ModelLoop.Cli.Tests;

public sealed class RetrainCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-cli-retrain-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string Out(string name) => Path.Combine(_folder.FullName, name);

    private string Home => Out("home");

    [Fact]
    public void RetrainPrintsEachStepAndTheDecisionAndMovesProductionToTheChallenger()
    {
        ShiftedTable.TrainChampion(Home, _folder.FullName);
        var feedback = ShiftedTable.Write(Out("feedback.csv"), 200, shifted: true, seed: 5);
        File.WriteAllText(Out("policy.yaml"), "minHoldout: 30\npromotionTolerance: 0.02\n");

        var (exit, output) = Capture("retrain", ShiftedTable.Model, "--feedback", feedback, "--policy", Out("policy.yaml"), "--mode", "retrain", "--home", Home, "--threads", "1");

        Assert.True(exit == 0, output);
        Assert.Contains("holding out 60 items", output, StringComparison.Ordinal);
        Assert.Contains("Registered challenger v2", output, StringComparison.Ordinal);
        Assert.Contains("held-out feedback", output, StringComparison.Ordinal);
        Assert.Contains("Job 1: Promoted: production and champion now point at v2.", output, StringComparison.Ordinal);
        Assert.Equal(2, new ModelRegistry(Home).GetAliasVersion(ShiftedTable.Model, "production"));
        Assert.Equal(RetrainMode.Retrain, new RetrainingStore(Home).Get(1).Mode);
    }

    [Fact]
    public void AnUnknownModeOrMissingFeedbackIsOneErrorLineAndRecordsNoJob()
    {
        ShiftedTable.TrainChampion(Home, _folder.FullName);
        var feedback = ShiftedTable.Write(Out("feedback.csv"), 50, shifted: true, seed: 5);

        var (badMode, modeOutput) = Capture("retrain", ShiftedTable.Model, "--feedback", feedback, "--mode", "fast", "--home", Home);
        var (missing, missingOutput) = Capture("retrain", ShiftedTable.Model, "--feedback", Out("absent.csv"), "--home", Home);

        Assert.Equal(2, badMode);
        Assert.Contains("--mode 'fast'", modeOutput, StringComparison.Ordinal);
        Assert.Contains("retrain or fine-tune", modeOutput, StringComparison.Ordinal);
        Assert.Equal(2, missing);
        Assert.Contains("absent.csv' does not exist", missingOutput, StringComparison.Ordinal);
        Assert.Null(new RetrainingStore(Home).Latest(ShiftedTable.Model));
    }

    private static (int Exit, string Output) Capture(params string[] args)
    {
        var writer = new StringWriter();
        var previous = AnsiConsole.Console;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        AnsiConsole.Profile.Width = 400;
        try
        {
            return (CliApp.Run(args), writer.ToString());
        }
        finally
        {
            AnsiConsole.Console = previous;
        }
    }
}
