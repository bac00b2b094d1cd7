using System.Text.Json;
using Spectre.Console;

namespace ModelLoop.Cli.Tests;

public sealed class EvalCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-cli-eval-");

    public void Dispose() => _folder.Delete(recursive: true);

    private static string Dataset(string name) => ShippedDatasets.Find(name);

    private string Out(string name) => Path.Combine(_folder.FullName, name);

    [Fact]
    public void EvaluatingATrainedRunWritesAReportWhoseMetricsMatchTheRunsOwnTest()
    {
        Assert.Equal(0, CliApp.Run(["train", "--model", "mlp", "--data", Dataset("breast_cancer.csv"), "--epochs", "3", "--seed", "4",
            "--threads", "1", "--device", "cpu", "--out", Out("run")]));

        var exit = CliApp.Run(["eval", Out("run"), Dataset("breast_cancer.csv"), "--split-seed", "4", "--threads", "1", "--device", "cpu"]);

        Assert.Equal(0, exit);
        var html = File.ReadAllText(Out("run/eval/report.html"));
        Assert.Contains("data:image/png;base64,", html, StringComparison.Ordinal);
        using var evaluation = JsonDocument.Parse(File.ReadAllText(Out("run/eval/evaluation.json")));
        using var summary = JsonDocument.Parse(File.ReadAllText(Out("run/summary.json")));
        var metrics = evaluation.RootElement.GetProperty("summary").GetProperty("metrics");
        var test = summary.RootElement.GetProperty("test");
        // Same test split, same weights: the same accuracy, and log-loss equals the cross-entropy test loss.
        Assert.Equal(test.GetProperty("accuracy").GetDouble(), metrics.GetProperty("accuracy").GetDouble(), 6);
        Assert.Equal(test.GetProperty("loss").GetDouble(), metrics.GetProperty("log_loss").GetDouble(), 4);
        var plots = evaluation.RootElement.GetProperty("plots").EnumerateArray().Select(p => p.GetString()!).ToArray();
        Assert.Equal(["training-loss", "training-metrics", "confusion-matrix", "roc", "precision-recall", "per-class", "calibration", "feature-importance"], plots);
        var importance = evaluation.RootElement.GetProperty("summary").GetProperty("featureImportance");
        Assert.Equal(30, importance.GetArrayLength());
        Assert.Contains(importance.EnumerateArray(), f => f.GetProperty("name").GetString() == "mean_radius");
    }

    [Fact]
    public void ARegressionRunIsEvaluatedWithRegressionMetrics()
    {
        // One linear output: the zoo's MLP would size its output from the label range, which suits classes only.
        File.WriteAllText(Out("linear.yaml"), "inputShape: [10]\nlayers:\n- type: Dense\n  units: 1\n");
        Assert.Equal(0, CliApp.Run(["train", "--model", Out("linear.yaml"), "--data", Dataset("diabetes.csv"), "--loss", "mse", "--epochs", "2", "--seed", "1",
            "--threads", "1", "--device", "cpu", "--out", Out("reg")]));

        var exit = CliApp.Run(["eval", Out("reg"), Dataset("diabetes.csv"), "--threads", "1", "--out", Out("reg-report")]);

        Assert.Equal(0, exit);
        using var evaluation = JsonDocument.Parse(File.ReadAllText(Out("reg-report/evaluation.json")));
        using var summary = JsonDocument.Parse(File.ReadAllText(Out("reg/summary.json")));
        var metrics = evaluation.RootElement.GetProperty("summary").GetProperty("metrics");
        Assert.Equal("Regression", evaluation.RootElement.GetProperty("summary").GetProperty("task").GetString());
        Assert.Equal(summary.RootElement.GetProperty("test").GetProperty("mae").GetDouble(), metrics.GetProperty("mae").GetDouble(), 3);
        Assert.True(metrics.TryGetProperty("r2", out _));
    }

    [Fact]
    public void AgainstAChampionRunTheReportCarriesTheComparisonVerdict()
    {
        var data = Dataset("breast_cancer.csv");
        Assert.Equal(0, CliApp.Run(["train", "--model", "mlp", "--data", data, "--epochs", "1", "--lr", "0.00001", "--seed", "3", "--threads", "1", "--out", Out("weak")]));
        Assert.Equal(0, CliApp.Run(["train", "--model", "mlp", "--data", data, "--epochs", "5", "--seed", "3", "--threads", "1", "--out", Out("strong")]));

        var exit = CliApp.Run(["eval", Out("strong"), data, "--split-seed", "3", "--against", Out("weak"), "--threads", "1"]);

        Assert.Equal(0, exit);
        using var comparison = JsonDocument.Parse(File.ReadAllText(Out("strong/eval/comparison.json")));
        using var weak = JsonDocument.Parse(File.ReadAllText(Out("weak/summary.json")));
        using var strong = JsonDocument.Parse(File.ReadAllText(Out("strong/summary.json")));
        var accuracy = comparison.RootElement.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("metric").GetString() == "accuracy");
        Assert.Equal(weak.RootElement.GetProperty("test").GetProperty("accuracy").GetDouble(), accuracy.GetProperty("champion").GetDouble(), 6);
        Assert.Equal(strong.RootElement.GetProperty("test").GetProperty("accuracy").GetDouble(), accuracy.GetProperty("challenger").GetDouble(), 6);
        var verdict = comparison.RootElement.GetProperty("verdict").GetString();
        Assert.Equal("Better", verdict); // five epochs against one at a learning rate of 1e-5
        Assert.Contains($"Against the champion: {verdict}", File.ReadAllText(Out("strong/eval/report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public void FoldsCrossValidateTheRunsArchitectureAndReportMeanAndStd()
    {
        var data = Dataset("breast_cancer.csv");
        Assert.Equal(0, CliApp.Run(["train", "--model", "mlp", "--data", data, "--epochs", "2", "--seed", "1", "--threads", "1", "--out", Out("cv")]));

        var exit = CliApp.Run(["eval", Out("cv"), data, "--folds", "3", "--seed", "1", "--threads", "1"]);

        Assert.Equal(0, exit);
        using var cv = JsonDocument.Parse(File.ReadAllText(Out("cv/eval/cross-validation.json")));
        Assert.Equal(3, cv.RootElement.GetProperty("folds").GetArrayLength());
        Assert.Equal(2, cv.RootElement.GetProperty("epochs").GetInt32());
        var accuracies = cv.RootElement.GetProperty("folds").EnumerateArray().Select(f => f.GetProperty("accuracy").GetDouble()).ToArray();
        var accuracy = cv.RootElement.GetProperty("summary").GetProperty("accuracy");
        Assert.Equal(accuracies.Average(), accuracy.GetProperty("mean").GetDouble(), 12);
        Assert.True(accuracy.GetProperty("mean").GetDouble() > 0.85, $"cross-validated accuracy {accuracy}");
    }

    [Fact]
    public void AGroupColumnAddsFairnessSlicesToTheReport()
    {
        // diabetes.csv's "sex" column (1 or 2) as the group; the label thresholded into a class via a spec classifier.
        var csv = Out("diabetes-classes.csv");
        var lines = File.ReadAllLines(Dataset("diabetes.csv"));
        File.WriteAllLines(csv, lines.Take(1).Concat(lines.Skip(1).Select(l =>
        {
            var cells = l.Split(',');
            cells[^1] = double.Parse(cells[^1], System.Globalization.CultureInfo.InvariantCulture) > 140 ? "1" : "0";
            return string.Join(',', cells);
        })));
        Assert.Equal(0, CliApp.Run(["train", "--model", "mlp", "--data", csv, "--epochs", "2", "--seed", "2", "--threads", "1", "--out", Out("fair")]));

        var exit = CliApp.Run(["eval", Out("fair"), csv, "--split-seed", "2", "--group", "sex", "--threads", "1"]);

        Assert.Equal(0, exit);
        using var evaluation = JsonDocument.Parse(File.ReadAllText(Out("fair/eval/evaluation.json")));
        var fairness = evaluation.RootElement.GetProperty("summary").GetProperty("fairness");
        Assert.Equal("sex", fairness.GetProperty("groupName").GetString());
        Assert.Equal(["1", "2"], fairness.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("group").GetString()!).ToArray());
        var samples = evaluation.RootElement.GetProperty("summary").GetProperty("samples").GetInt64();
        Assert.Equal(samples, fairness.GetProperty("groups").EnumerateArray().Sum(g => g.GetProperty("count").GetInt64()));
        Assert.Contains("By sex", File.ReadAllText(Out("fair/eval/report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public void EvalRebuildsTheTestSplitTheModelRecordedWhetherGivenTheRunTheArtifactOrARegistryName()
    {
        var data = Dataset("breast_cancer.csv");
        var home = Out("home");
        Assert.Equal(0, CliApp.Run(["train", "--model", "mlp", "--data", data, "--epochs", "2", "--seed", "4", "--split-seed", "9", "--test-fraction", "0.3",
            "--threads", "1", "--out", Out("run"), "--home", home, "--register", "bc", "--alias", "production"]));
        using var summary = JsonDocument.Parse(File.ReadAllText(Out("run/summary.json")));
        var trained = summary.RootElement.GetProperty("test").GetProperty("accuracy").GetDouble();

        // No --split-seed, --test-fraction or --label: all three come from the artifact.
        Assert.Equal(0, CliApp.Run(["eval", Out("run"), data, "--threads", "1", "--out", Out("by-run")]));
        Assert.Equal(0, CliApp.Run(["eval", Out("run/artifact"), data, "--threads", "1", "--out", Out("by-artifact")]));
        Assert.Equal(0, CliApp.Run(["eval", "bc", data, "--home", home, "--threads", "1", "--out", Out("by-name")]));
        Assert.Equal(0, CliApp.Run(["eval", "bc:1", data, "--home", home, "--split-seed", "10", "--threads", "1", "--out", Out("other-split")]));

        foreach (var folder in new[] { "by-run", "by-artifact", "by-name" })
        {
            using var evaluation = JsonDocument.Parse(File.ReadAllText(Out($"{folder}/evaluation.json")));
            Assert.Equal(171, evaluation.RootElement.GetProperty("summary").GetProperty("samples").GetInt64()); // 30% of 569, per class rounded
            Assert.Equal(trained, evaluation.RootElement.GetProperty("summary").GetProperty("metrics").GetProperty("accuracy").GetDouble(), 9);
        }
        using var other = JsonDocument.Parse(File.ReadAllText(Out("other-split/evaluation.json")));
        Assert.Equal(171, other.RootElement.GetProperty("summary").GetProperty("samples").GetInt64());
    }

    [Fact]
    public void AgainstAChampionWithAnotherPipelineEachModelSeesTheTestRowsThroughItsOwn()
    {
        var data = Dataset("breast_cancer.csv");
        // --limit 100: the champion's standardization is fitted on 100 rows, so its pipeline differs from the challenger's.
        Assert.Equal(0, CliApp.Run(["train", "--model", "mlp", "--data", data, "--epochs", "3", "--limit", "100", "--seed", "3", "--threads", "1", "--no-track", "--out", Out("small")]));
        Assert.Equal(0, CliApp.Run(["train", "--model", "mlp", "--data", data, "--epochs", "3", "--seed", "3", "--threads", "1", "--no-track", "--out", Out("full")]));
        using (var smallPackage = ModelLoop.Artifacts.ModelPackage.Load(Out("small/artifact")))
        using (var fullPackage = ModelLoop.Artifacts.ModelPackage.Load(Out("full/artifact")))
            Assert.NotEqual(smallPackage.Pipeline!.ToJson(), fullPackage.Pipeline!.ToJson());

        Assert.Equal(0, CliApp.Run(["eval", Out("full"), data, "--against", Out("small"), "--threads", "1"]));

        using var comparison = JsonDocument.Parse(File.ReadAllText(Out("full/eval/comparison.json")));
        var accuracy = comparison.RootElement.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("metric").GetString() == "accuracy");
        using var small = JsonDocument.Parse(File.ReadAllText(Out("small/summary.json")));
        using var full = JsonDocument.Parse(File.ReadAllText(Out("full/summary.json")));
        Assert.Equal(small.RootElement.GetProperty("test").GetProperty("accuracy").GetDouble(), accuracy.GetProperty("champion").GetDouble(), 9);
        Assert.Equal(full.RootElement.GetProperty("test").GetProperty("accuracy").GetDouble(), accuracy.GetProperty("challenger").GetDouble(), 9);
        // Log-loss is continuous: through the other pipeline it would move even where the accuracy does not.
        var logLoss = comparison.RootElement.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("metric").GetString() == "log_loss");
        Assert.Equal(small.RootElement.GetProperty("test").GetProperty("loss").GetDouble(), logLoss.GetProperty("champion").GetDouble(), 4);
    }

    [Fact]
    public void AnUnknownRegistryModelIsAUserError()
    {
        Assert.Equal(2, CliApp.Run(["eval", "nope:3", Dataset("breast_cancer.csv"), "--home", Out("empty-home")]));
    }

    [Fact]
    public void AFolderWithoutAModelIsAUserErrorThatSaysWhatIsExpected()
    {
        Directory.CreateDirectory(Out("empty"));
        var error = new StringWriter();
        var previous = AnsiConsole.Console;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error), Ansi = AnsiSupport.No });
        try
        {
            var exit = CliApp.Run(["eval", Out("empty"), Dataset("breast_cancer.csv")]);

            Assert.Equal(2, exit);
        }
        finally
        {
            AnsiConsole.Console = previous;
        }
        Assert.Contains("artifact/manifest.json", error.ToString(), StringComparison.Ordinal);
    }
}
