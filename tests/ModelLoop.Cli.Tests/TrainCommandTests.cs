using System.Text.Json;

// The CLI sets libtorch's global thread count and seed: these tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace ModelLoop.Cli.Tests;

public sealed class TrainCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-cli-");

    public void Dispose() => _folder.Delete(recursive: true);

    private static string BreastCancerCsv()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "datasets", "breast_cancer.csv");
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException("datasets/breast_cancer.csv not found above the test folder.");
    }

    private string Out(string name) => Path.Combine(_folder.FullName, name);

    [Fact]
    public void TrainingAZooModelOnACsvWritesAWholeRunFolder()
    {
        var exit = CliApp.Run(["train", "--model", "mlp", "--data", BreastCancerCsv(), "--epochs", "3", "--batch-size", "32",
            "--seed", "1", "--threads", "1", "--device", "cpu", "--out", Out("run")]);

        Assert.Equal(0, exit);
        foreach (var file in new[] { "model.json", "weights.bin", "history.csv", "summary.json" })
            Assert.True(File.Exists(Out(Path.Combine("run", file))), $"{file} missing");
        Assert.Equal(4, File.ReadAllLines(Out("run/history.csv")).Length); // header + 3 epochs
        using var summary = JsonDocument.Parse(File.ReadAllText(Out("run/summary.json")));
        var accuracy = summary.RootElement.GetProperty("test").GetProperty("accuracy").GetDouble();
        Assert.True(accuracy > 0.85, $"test accuracy {accuracy}");
    }

    [Fact]
    public void TrainingASpecFileBuildsTheModelItDescribes()
    {
        File.WriteAllText(Out("tiny.yaml"), """
            inputShape: [30]
            layers:
            - type: Dense
              units: 5
              activation: Relu
            - type: Dense
              units: 2
            """);

        var exit = CliApp.Run(["train", "--model", Out("tiny.yaml"), "--data", BreastCancerCsv(), "--epochs", "1", "--seed", "1", "--threads", "1", "--out", Out("spec-run")]);

        Assert.Equal(0, exit);
        using var summary = JsonDocument.Parse(File.ReadAllText(Out("spec-run/summary.json")));
        Assert.Equal(30 * 5 + 5 + 5 * 2 + 2, summary.RootElement.GetProperty("parameters").GetInt64());
    }

    [Fact]
    public void ARunStartedAgainWithItsCheckpointResumesInsteadOfStartingOver()
    {
        string[] Args(int epochs) => ["train", "--model", "mlp", "--data", BreastCancerCsv(), "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--seed", "1", "--threads", "1", "--checkpoint", Out("run.ckpt"), "--out", Out("resumed")];

        Assert.Equal(0, CliApp.Run(Args(1)));
        Assert.Equal(0, CliApp.Run(Args(3)));

        Assert.Equal(4, File.ReadAllLines(Out("resumed/history.csv")).Length); // epochs 1–3, not 2–3
        using var summary = JsonDocument.Parse(File.ReadAllText(Out("resumed/summary.json")));
        Assert.Equal(3, summary.RootElement.GetProperty("epochs").GetInt32());
    }

    [Theory]
    [InlineData("--model", "no-such-model")]
    [InlineData("--data", "/no/such/file.csv")]
    [InlineData("--loss", "hinge")]
    [InlineData("--optimizer", "lbfgs")]
    public void BadInputEndsWithExitCodeTwoInsteadOfACrash(string option, string value)
    {
        string[] args = ["train", "--data", BreastCancerCsv(), "--model", "mlp", "--epochs", "1", "--threads", "1", "--out", Out("bad")];
        var index = Array.IndexOf(args, option);
        if (index >= 0)
            args[index + 1] = value;
        else
            args = [.. args, option, value];

        Assert.Equal(2, CliApp.Run(args));
    }
}
