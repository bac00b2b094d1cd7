using System.Text.Json;
using Spectre.Console;

namespace ModelLoop.Cli.Tests;

public sealed class EvalPrivacyTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-cli-privacy-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string Out(string name) => Path.Combine(_folder.FullName, name);

    [Fact]
    public void Eval_with_privacy_adds_both_attacks_to_the_report_and_its_json()
    {
        var data = ShippedDatasets.Find("breast_cancer.csv");
        Assert.Equal(0, CliApp.Run(["train", "--model", "mlp", "--data", data, "--epochs", "3", "--seed", "4", "--threads", "1", "--device", "cpu", "--no-track", "--out", Out("run")]));

        var exit = CliApp.Run(["eval", Out("run"), "--privacy", "--shadow-models", "2", "--population", "100", "--threads", "1", "--device", "cpu"]);

        Assert.Equal(0, exit);
        using var evaluation = JsonDocument.Parse(File.ReadAllText(Out("run/eval/evaluation.json")));
        var privacy = evaluation.RootElement.GetProperty("privacy");
        Assert.Equal(50, privacy.GetProperty("members").GetInt32());
        Assert.Equal(["LossThreshold", "LikelihoodRatio"], privacy.GetProperty("attacks").EnumerateArray().Select(a => a.GetProperty("attack").GetString()!).ToArray());
        Assert.Contains("data-section=\"privacy\"", File.ReadAllText(Out("run/eval/report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public void An_audit_option_without_privacy_is_an_error_that_says_to_add_it()
    {
        var error = new StringWriter();
        var previous = AnsiConsole.Console;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error), Ansi = AnsiSupport.No });
        AnsiConsole.Console.Profile.Width = 400;
        try
        {
            var exit = CliApp.Run(["eval", Out("missing-run"), "--shadow-models", "2"]);

            Assert.Equal(2, exit);
        }
        finally
        {
            AnsiConsole.Console = previous;
        }
        Assert.Contains("--shadow-models configures the privacy audit, which runs only with --privacy", error.ToString(), StringComparison.Ordinal);
    }
}
