using ModelLoop.Artifacts;
using ModelLoop.Optimization.Reports;
using ModelLoop.Registry;

namespace ModelLoop.Cli.Tests;

public sealed class OptimizeCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-cli-optimize-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string Out(string name) => Path.Combine(_folder.FullName, name);

    private string Home => Out("home");

    private int Train(string name, params string[] extra) => CliApp.Run(["train", "--model", "mlp", "--data", ShippedDatasets.Find("breast_cancer.csv"), "--epochs", "3",
        "--seed", "2", "--threads", "1", "--device", "cpu", "--out", Out(name), "--home", Home, .. extra]);

    private static (int Exit, string Output) Capture(params string[] args) => RegistryCommandsTests.Capture(args);

    [Fact]
    public void Pruning_and_int8_make_two_registered_variants_measured_beside_the_model_in_one_report()
    {
        Assert.Equal(0, Train("run", "--register", "bc"));

        var (exit, output) = Capture("optimize", "bc:1", "--prune", "0.5", "--quantize", "int8", "--epochs", "1", "--rounds", "1",
            "--register", "bc", "--out", Out("opt"), "--home", Home, "--threads", "1");

        Assert.True(exit == 0, output);
        var report = OptimizationReport.FromJson(File.ReadAllText(Out("opt/report/report.json")));
        Assert.Equal(["baseline", "pruned-50", "int8"], report.Variants.Select(v => v.Name));
        var (baseline, pruned, int8) = (report.Variants[0], report.Variants[1], report.Variants[2]);
        Assert.Equal("onnxruntime", int8.Runtime);
        Assert.True(int8.SizeBytes * 3 < baseline.SizeBytes, $"int8 {int8.SizeBytes} bytes vs fp32 {baseline.SizeBytes}");
        // Half of the weight matrices are zero (biases are kept), and the model keeps its shape.
        Assert.Equal(baseline.Parameters, pruned.Parameters);
        Assert.InRange((double)pruned.NonZeroParameters!.Value / pruned.Parameters!.Value, 0.45, 0.6);
        Assert.All(report.Variants, v => Assert.Equal(baseline.TestRows, v.TestRows));
        Assert.All(report.Variants.Skip(1), v => Assert.NotNull(v.VerdictVersusBaseline));
        Assert.True(File.Exists(Out("opt/report/report.html")) && File.Exists(Out("opt/report/pareto.png")));
        Assert.Contains("report.html", output);

        var registry = new ModelRegistry(Home);
        var versions = registry.ListVersions("bc");
        Assert.Equal(3, versions.Count);
        Assert.Equal("int8", versions[2].Tags["optimization"]);
        Assert.Equal("bc:1", versions[2].Tags["parent"]);
        var (_, metadata) = ModelArtifact.ReadMetadata(versions[2].ArtifactPath);
        Assert.Equal(ModelRuntime.Onnx, metadata.Runtime);
        Assert.Equal("bc:1", metadata.Lineage.ParentModel);
    }

    [Theory]
    [InlineData("--prune", "1.5", "--prune (sparsity) must be in (0, 1)")]
    [InlineData("--prune-channels", "0", "--prune-channels (fraction of channels) must be in (0, 1)")]
    [InlineData("--quantize", "int4", "--quantize 'int4' is not supported")]
    public void Out_of_range_options_are_exit_2_naming_the_option_before_anything_runs(string option, string value, string message)
    {
        var (exit, output) = Capture("optimize", Out("no-such-run"), option, value);

        Assert.Equal(2, exit);
        Assert.Contains(message, output);
    }

    [Theory]
    [InlineData("--temperature", "0", "temperature must be a positive number")]
    [InlineData("--temperature", "-2", "temperature must be a positive number")]
    [InlineData("--alpha", "1.5", "alpha must be in [0, 1]")]
    [InlineData("--alpha", "-0.1", "alpha must be in [0, 1]")]
    [InlineData("--beta", "-1", "beta must be a number ≥ 0")]
    public void Distillation_knobs_out_of_range_are_exit_2_naming_the_knob_before_anything_runs(string option, string value, string message)
    {
        var (exit, output) = Capture("optimize", Out("no-such-run"), "--prune", "0.5", option, value);

        Assert.Equal(2, exit);
        Assert.Contains(message, output);
        Assert.Contains($"received {value}", output);
    }

    [Fact]
    public void Temperature_and_alpha_given_on_the_command_line_are_the_ones_the_student_is_distilled_with()
    {
        Assert.Equal(0, Train("run"));
        var spec = Out("student.json");
        File.WriteAllText(spec, new Modeling.ModelSpec([30], [new Modeling.Layers.Dense(4, Modeling.Activation.Relu), new Modeling.Layers.Dense(2)]).ToJson());

        var (exit, output) = Capture("optimize", Out("run"), "--distill-into", spec, "--temperature", "2.5", "--alpha", "0.25", "--distill-epochs", "1",
            "--rounds", "1", "--out", Out("opt"), "--home", Home, "--threads", "1");

        Assert.True(exit == 0, output);
        var (_, metadata) = ModelArtifact.ReadMetadata(Out("opt/distilled/artifact"));
        Assert.Contains("T=2.5, α=0.25", metadata.Description, StringComparison.Ordinal);
        Assert.Contains("T = 2.5, α = 0.25", output);
    }

    [Fact]
    public void A_student_distilled_from_two_teachers_is_measured_beside_their_ensemble_which_is_not_registered()
    {
        Assert.Equal(0, Train("run", "--register", "bc"));
        Assert.Equal(0, CliApp.Run(["train", "--model", "mlp", "--data", ShippedDatasets.Find("breast_cancer.csv"), "--epochs", "3", "--seed", "3", "--split-seed", "2", "--threads", "1",
            "--device", "cpu", "--out", Out("second"), "--home", Home, "--register", "bc"]));
        var spec = Out("student.json");
        File.WriteAllText(spec, new Modeling.ModelSpec([30], [new Modeling.Layers.Dense(4, Modeling.Activation.Relu), new Modeling.Layers.Dense(2)]).ToJson());

        var (exit, output) = Capture("optimize", "bc:1", "--distill-into", spec, "--teacher", "bc:2", "--distill-epochs", "1",
            "--rounds", "1", "--register", "bc", "--out", Out("opt"), "--home", Home, "--threads", "1");

        Assert.True(exit == 0, output);
        var report = OptimizationReport.FromJson(File.ReadAllText(Out("opt/report/report.json")));
        Assert.Equal(["baseline", "ensemble", "distilled"], report.Variants.Select(v => v.Name));
        Assert.Equal(2 * report.Variants[0].Parameters, report.Variants[1].Parameters);
        Assert.Null(report.Variants[1].PackagePath);
        Assert.Contains("of the ensemble of 2", report.Variants[2].Method, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3], new ModelRegistry(Home).ListVersions("bc").Select(v => v.Version)); // the student only
    }

    [Fact]
    public void An_unknown_distillation_method_is_exit_2_naming_the_methods()
    {
        var (exit, output) = Capture("optimize", Out("no-such-run"), "--prune", "0.5", "--method", "fitnets");

        Assert.Equal(2, exit);
        Assert.Contains("--method 'fitnets' is not a distillation method; use hinton or decoupled", output);
    }

    [Fact]
    public void A_further_teacher_without_a_student_is_exit_2_before_anything_runs()
    {
        var (exit, output) = Capture("optimize", Out("no-such-run"), "--prune", "0.5", "--teacher", "bc:2");

        Assert.Equal(2, exit);
        Assert.Contains("no --distill-into SPEC was given", output);
    }

    [Fact]
    public void Asking_for_nothing_is_exit_2_listing_what_can_be_asked()
    {
        var (exit, output) = Capture("optimize", Out("no-such-run"));

        Assert.Equal(2, exit);
        Assert.Contains("--prune SPARSITY, --prune-channels FRACTION, --quantize int8, --distill-into SPEC", output);
    }
}
