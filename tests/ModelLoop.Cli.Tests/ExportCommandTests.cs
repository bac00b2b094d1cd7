using ModelLoop.Artifacts;
using ModelLoop.Optimization.Onnx;

namespace ModelLoop.Cli.Tests;

public sealed class ExportCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-cli-export-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string Out(string name) => Path.Combine(_folder.FullName, name);

    private string Home => Out("home");

    private int Train(string name, params string[] extra) => CliApp.Run(["train", "--model", "mlp", "--data", ShippedDatasets.Find("breast_cancer.csv"), "--epochs", "1",
        "--seed", "2", "--threads", "1", "--device", "cpu", "--out", Out(name), "--home", Home, .. extra]);

    private static (int Exit, string Output) Capture(params string[] args) => RegistryCommandsTests.Capture(args);

    [Fact]
    public void Exporting_a_trained_run_writes_an_onnx_file_that_onnx_runtime_runs_like_the_package()
    {
        Assert.Equal(0, Train("run"));

        var (exit, output) = Capture("export", Out("run"), "--format", "onnx");

        Assert.Equal(0, exit);
        var file = Out("run/model.onnx");
        Assert.Contains(file, output);
        Assert.Contains($"{new FileInfo(file).Length:N0} bytes, ONNX opset 17", output);
        Assert.Contains("Parity: max |ONNX Runtime − TorchSharp|", output);
        using var package = ModelPackage.Load(Out("run/artifact"));
        Assert.True(OnnxVerification.MaxDifference(package.Model, File.ReadAllBytes(file), samples: 50, seed: 9) <= 1e-4);
    }

    [Fact]
    public void A_registry_model_is_exported_to_the_given_output()
    {
        Assert.Equal(0, Train("run", "--register", "bc"));

        var (exit, output) = Capture("export", "bc:1", "--home", Home, "--output", Out("bc.onnx"));

        Assert.Equal(0, exit);
        Assert.Contains("bc v1", output);
        using var onnx = OnnxModel.Load(Out("bc.onnx"));
        Assert.Equal([30L], onnx.InputShape);
    }

    [Fact]
    public void An_unknown_format_is_exit_2_naming_the_formats()
    {
        var (exit, output) = Capture("export", Out("nowhere"), "--format", "tflite");

        Assert.Equal(2, exit);
        Assert.Contains("--format must be one of: onnx; received 'tflite'", output);
    }

    [Fact]
    public void An_onnx_only_package_is_exit_2_saying_it_already_is_an_onnx_graph()
    {
        Assert.Equal(0, Train("run"));
        using (var package = ModelPackage.Load(Out("run/artifact")))
            ModelArtifact.SaveOnnx(package.Spec, OnnxExporter.Export(package.Model), package.Metadata, Out("onnx-only.zip"));

        var (exit, output) = Capture("export", Out("onnx-only.zip"));

        Assert.Equal(2, exit);
        Assert.Contains("runs through ONNX Runtime", output);
        Assert.Contains(ModelArtifact.OnnxFile, output);
    }
}
