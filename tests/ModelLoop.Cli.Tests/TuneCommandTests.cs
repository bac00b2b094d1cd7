using System.Text.Json;
using ModelLoop.Registry;
using ModelLoop.Tracking;

namespace ModelLoop.Cli.Tests;

public sealed class TuneCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-cli-tune-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string Home => Path.Combine(_folder.FullName, "home");

    private string Out(string name) => Path.Combine(_folder.FullName, name);

    /// <summary>A base config (one MLP epoch on the shipped breast-cancer table) and a two-parameter space.</summary>
    private (string Config, string Space) Files(string space = """
        optimizer.learningRate: { type: float, low: 0.0005, high: 0.05, log: true }
        model.hidden: { type: categorical, choices: [[8], [16, 8]] }
        """, int epochs = 1)
    {
        File.WriteAllText(Out("run.yaml"), $"""
            model: {"{"} zoo: mlp, hidden: [16] {"}"}
            data: {"{"} source: "{ShippedDatasets.Find("breast_cancer.csv")}", label: target, validation: 0.2, test: 0.2, splitSeed: 3 {"}"}
            epochs: {epochs}
            batchSize: 32
            seed: 1
            """);
        File.WriteAllText(Out("space.yaml"), space);
        return (Out("run.yaml"), Out("space.yaml"));
    }

    private static (int Exit, string Output) Capture(params string[] args) => RegistryCommandsTests.Capture(args);

    [Fact]
    public void A_tiny_study_runs_every_trial_as_a_tracked_run_and_writes_its_summary_and_plots()
    {
        var (config, space) = Files(epochs: 2);

        var (exit, output) = Capture("tune", "--config", config, "--space", space, "--trials", "4", "--study", "tiny", "--seed", "3", "--pruner", "asha",
            "--output", Out("study"), "--home", Home, "--threads", "1", "--device", "cpu");

        Assert.True(exit == 0, output);
        Assert.Equal(4, output.Split('\n').Count(l => l.StartsWith("trial ", StringComparison.Ordinal)));
        Assert.Contains("best trial", output, StringComparison.Ordinal);
        foreach (var file in new[] { "summary.json", "study.md", "history.png", "intermediate.png", "parallel-coordinates.png", "importance.png" })
            Assert.True(File.Exists(Out(Path.Combine("study", file))), $"{file} missing; output: {output}");
        using var summary = JsonDocument.Parse(File.ReadAllText(Out("study/summary.json")));
        var trials = summary.RootElement.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(4, trials.Count);
        Assert.All(trials, t => Assert.NotEqual("Fail", t.GetProperty("state").GetString()));
        var runs = new RunStore(Home).ListRuns();
        Assert.Equal(4, runs.Count);
        Assert.All(runs, r => Assert.StartsWith("tune-tiny-", r.Name, StringComparison.Ordinal));

        var (showExit, show) = Capture("tune", "show", "tiny", "--home", Home);
        Assert.Equal(0, showExit);
        Assert.Contains("best trial", show, StringComparison.Ordinal);
    }

    [Fact]
    public void A_study_run_again_with_the_same_name_resumes_instead_of_starting_over()
    {
        var (config, space) = Files();
        string[] Args(int trials) => ["tune", "--config", config, "--space", space, "--trials", trials.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--study", "again", "--sampler", "random", "--seed", "1", "--output", Out("again"), "--home", Home, "--threads", "1"];

        Assert.Equal(0, Capture(Args(2)).Exit);
        var (exit, output) = Capture(Args(3));

        Assert.True(exit == 0, output);
        Assert.Single(output.Split('\n'), l => l.StartsWith("trial ", StringComparison.Ordinal)); // only the third
        Assert.Equal(3, new RunStore(Home).ListRuns().Count);
    }

    [Fact]
    public void An_unknown_field_in_the_space_is_a_user_error_naming_it_before_any_trial()
    {
        var (config, space) = Files("""
            optimizer.learningrate: { type: float, low: 0.001, high: 0.1, log: true }
            """);

        var (exit, output) = Capture("tune", "--config", config, "--space", space, "--trials", "2", "--home", Home);

        Assert.Equal(2, exit);
        Assert.Contains("optimizer.learningrate", output, StringComparison.Ordinal);
        Assert.Contains("learningRate", output, StringComparison.Ordinal);
        Assert.Empty(new RunStore(Home).ListRuns());
    }

    [Fact]
    public void Register_puts_the_best_trials_model_in_the_registry_as_a_challenger()
    {
        var (config, space) = Files();

        var (exit, output) = Capture("tune", "--config", config, "--space", space, "--trials", "2", "--study", "reg", "--sampler", "random", "--seed", "2",
            "--output", Out("reg"), "--home", Home, "--register", "bc-tuned", "--threads", "1");

        Assert.True(exit == 0, output);
        using var summary = JsonDocument.Parse(File.ReadAllText(Out("reg/summary.json")));
        var best = summary.RootElement.GetProperty("best");
        var version = new ModelRegistry(Home).GetVersion("bc-tuned", "challenger");
        Assert.Equal("reg", version.Tags["study"]);
        Assert.Equal(best.GetProperty("number").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), version.Tags["trial"]);
    }

    [Fact]
    public void Two_workers_share_one_study_without_repeating_a_trial_number()
    {
        var (config, space) = Files();

        var (exit, output) = Capture("tune", "--config", config, "--space", space, "--trials", "6", "--workers", "2", "--study", "pair", "--sampler", "random",
            "--seed", "4", "--output", Out("pair"), "--home", Home);

        Assert.True(exit == 0, output);
        Assert.DoesNotContain("exited with code", output, StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(File.ReadAllText(Out("pair/summary.json")));
        var trials = summary.RootElement.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, 6), trials.Select(t => t.GetProperty("number").GetInt32()));
        Assert.All(trials, t => Assert.Equal("Complete", t.GetProperty("state").GetString()));
    }
}
