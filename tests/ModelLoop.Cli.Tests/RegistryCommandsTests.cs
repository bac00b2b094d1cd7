using Spectre.Console;
using ModelLoop.Artifacts;
using ModelLoop.Tracking;
using ModelLoop.Registry;

namespace ModelLoop.Cli.Tests;

public sealed class RegistryCommandsTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-cli-registry-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string Home => Path.Combine(_folder.FullName, "home");

    private string Out(string name) => Path.Combine(_folder.FullName, name);

    private static string BreastCancerCsv() => ShippedDatasets.Find("breast_cancer.csv");

    [Fact]
    public void RunsListAndShowWriteDurationsWithAPointInAnyCulture()
    {
        Assert.Equal(0, Train("a", 1));
        var id = new RunStore(Home).ListRuns().Single().Id;
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            var (listExit, list) = Capture("runs", "list", "--home", Home);
            var (showExit, show) = Capture("runs", "show", id, "--home", Home);

            Assert.Equal((0, 0), (listExit, showExit));
            Assert.Matches(@"\d+\.\d s", list);
            Assert.Matches(@"\(\d+\.\d s\)", show);
            Assert.DoesNotMatch(@"\d+,\d s", list + show);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }

    private int Train(string name, int epochs, params string[] extra) => CliApp.Run(["train", "--model", "mlp", "--data", BreastCancerCsv(), "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--seed", "1", "--threads", "1", "--out", Out(name), "--home", Home, .. extra]);

    /// <summary>Runs the CLI with its console output captured.</summary>
    internal static (int Exit, string Output) Capture(params string[] args)
    {
        var writer = new StringWriter();
        var previous = AnsiConsole.Console;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        AnsiConsole.Profile.Width = 240;
        try
        {
            return (CliApp.Run(args), writer.ToString());
        }
        finally
        {
            AnsiConsole.Console = previous;
        }
    }

    [Fact]
    public void TrainingRecordsAFinishedRunWithItsTestMetricsAndArtifact()
    {
        Assert.Equal(0, Train("run", 2));

        var run = Assert.Single(new RunStore(Home).ListRuns());
        Assert.Equal(RunStatus.Finished, run.Status);
        Assert.True(run.LastMetrics["test_accuracy"] > 0.8, $"test accuracy {run.LastMetrics["test_accuracy"]}");
        Assert.Equal(Path.GetFullPath(Out("run/artifact")), Assert.Single(run.Artifacts).Path);
        // The dataset version is the manifest hash (source bytes, split, pipeline), the same in the run and the artifact.
        Assert.Equal(ModelLoop.Data.Versioning.DatasetManifest.Load(Out("run/dataset.json")).Hash, run.DatasetManifestHash);
        using var loaded = ModelArtifact.Load(Out("run/artifact"));
        Assert.Equal(run.Id, loaded.Metadata.Lineage.RunId);
        Assert.Equal(run.DatasetManifestHash, loaded.Metadata.Lineage.DatasetManifestHash);
    }

    [Fact]
    public void NoTrackLeavesTheRunStoreEmpty()
    {
        Assert.Equal(0, Train("run", 1, "--no-track"));

        Assert.Empty(new RunStore(Home).ListRuns());
    }

    [Fact]
    public void TrainWithRegisterCreatesAVersionLinkedToItsRun()
    {
        Assert.Equal(0, Train("run", 1, "--register", "bc", "--alias", "challenger"));

        var version = new ModelRegistry(Home).GetVersion("bc", "challenger");
        Assert.Equal(1, version.Version);
        Assert.Equal(new RunStore(Home).ListRuns().Single().Id, version.RunId);
    }

    [Fact]
    public void EncryptSavesAnArtifactThatLoadsOnlyWithTheKeyFromTheEnvironment()
    {
        var key = ArtifactEncryptionKey.Generate();
        Environment.SetEnvironmentVariable(ArtifactEncryptionKey.EnvironmentVariable, key.ToBase64());
        try
        {
            Assert.Equal(0, Train("run", 1, "--encrypt", "--register", "secret"));
            using (new ModelRegistry(Home).Load("secret", "1")) { }
        }
        finally
        {
            Environment.SetEnvironmentVariable(ArtifactEncryptionKey.EnvironmentVariable, null);
        }

        Assert.Throws<InvalidDataException>(() => ModelArtifact.Load(Out("run/artifact")));
        Assert.Equal(2, Train("again", 1, "--encrypt")); // no key in the environment: a user error, not a crash
    }

    [Fact]
    public void ModelsCommandsRegisterPromoteAndRollBackThroughTheCommandLine()
    {
        Assert.Equal(0, Train("a", 1, "--no-track"));
        Assert.Equal(0, Train("b", 2, "--no-track"));

        Assert.Equal(0, CliApp.Run(["models", "register", "bc", Out("a/artifact"), "--alias", "production", "--tag", "team=ml", "--home", Home]));
        Assert.Equal(0, CliApp.Run(["models", "register", "bc", Out("b/artifact"), "--home", Home]));
        Assert.Equal(0, CliApp.Run(["models", "promote", "bc", "2", "--alias", "production", "--reason", "more epochs", "--actor", "ci", "--home", Home]));
        var registry = new ModelRegistry(Home);
        Assert.Equal(2, registry.GetAliasVersion("bc", "production"));
        Assert.Equal(0, CliApp.Run(["models", "rollback", "bc", "--alias", "production", "--reason", "regression", "--home", Home]));

        Assert.Equal(1, registry.GetAliasVersion("bc", "production"));
        Assert.Equal("ml", registry.GetVersion("bc", 1).Tags["team"]);
        var (exit, output) = Capture("models", "show", "bc", "--home", Home);
        Assert.Equal(0, exit);
        Assert.Contains("more epochs", output);
        Assert.Contains("regression", output);
        Assert.Contains("v2 → v1", output);
    }

    [Fact]
    public void RunsListShowAndCompareDescribeTheRunsAndWriteAPlot()
    {
        Assert.Equal(0, Train("a", 2));
        Assert.Equal(0, Train("b", 3));
        var ids = new RunStore(Home).ListRuns().Select(r => r.Id).ToArray();

        var (listExit, list) = Capture("runs", "list", "--home", Home);
        var (showExit, show) = Capture("runs", "show", ids[0], "--home", Home);
        var (compareExit, _) = Capture(["runs", "compare", .. ids, "--metric", "loss", "--out", Out("curves.png"), "--home", Home]);

        Assert.Equal((0, 0, 0), (listExit, showExit, compareExit));
        Assert.All(ids, id => Assert.Contains(id, list));
        Assert.Contains("param epochs", show);
        Assert.Contains("finished", show);
        var png = File.ReadAllBytes(Out("curves.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
    }

    [Fact]
    public void ListingAnEmptyHomeSaysSoAndCreatesNothing()
    {
        var (runsExit, runs) = Capture("runs", "list", "--home", Home);
        var (modelsExit, models) = Capture("models", "list", "--home", Home);

        Assert.Equal((0, 0), (runsExit, modelsExit));
        Assert.Contains("No runs", runs);
        Assert.Contains("No models", models);
        Assert.False(Directory.Exists(Home));
    }

    [Theory]
    [InlineData("No registry at", "models", "show", "bc")]
    [InlineData("No registry at", "models", "show", "bc", "1")]
    [InlineData("No run store at", "runs", "show", "abc")]
    [InlineData("No run store at", "runs", "compare", "abc", "def")]
    public void ReadOnlyCommandsOnAMissingHomeSaySoWithExitCodeTwoAndCreateNothing(string expected, params string[] args)
    {
        var (exit, output) = Capture([.. args, "--home", Home]);

        Assert.Equal(2, exit);
        var line = output.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.Contains("modelloop", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Home));
    }

    [Theory]
    [InlineData("--register", "has space")]
    [InlineData("--alias", "Production")]
    public void ABadRegistryNameOrAliasIsRefusedBeforeTraining(string option, string value)
    {
        string[] extra = option == "--alias" ? ["--register", "bc", option, value] : [option, value];

        Assert.Equal(2, Train("run", 1, extra));

        Assert.False(File.Exists(Out("run/weights.bin")));
    }

    [Fact]
    public void ATagKeyGivenTwiceIsRefusedNamingTheKeyAndBothValues()
    {
        var (exit, output) = Capture("models", "register", "bc", Out("artifact"), "--tag", "team=ml", "--tag", "team=ops", "--home", Home);

        Assert.Equal(2, exit);
        Assert.Contains("--tag 'team' was given 2 times (ml, ops)", output.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("models", "show", "nope")]
    [InlineData("models", "promote", "nope", "1")]
    [InlineData("models", "rollback", "nope")]
    [InlineData("runs", "show", "no-such-run")]
    [InlineData("models", "register", "bc", "/no/such/artifact")]
    public void UnknownModelsRunsAndArtifactsEndWithExitCodeTwo(params string[] args)
    {
        Assert.Equal(2, CliApp.Run([.. args, "--home", Home]));
    }
}
