using System.Text.Json;
using ModelLoop.Artifacts;
using ModelLoop.Registry;
using ModelLoop.Tests.Training;

namespace ModelLoop.Tests.Artifacts;

/// <summary>
/// Packages that carry model.onnx: ONNX-only packages (no weights) and TorchSharp packages with an ONNX copy. The
/// core treats the graph as opaque bytes, so these tests use arbitrary bytes; the ONNX tests run real graphs.
/// </summary>
public sealed class OnnxPackageTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static byte[] Graph(int seed) => Enumerable.Range(0, 300).Select(i => (byte)(i * 7 + seed)).ToArray();

    [Fact]
    public void An_onnx_only_package_reads_back_its_graph_and_metadata_and_its_schemas_come_from_the_spec()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);
        var path = _folder.File("int8");

        ModelArtifact.SaveOnnx(model.ToSpec(), Graph(1), new ArtifactMetadata { Description = "int8" }, path);

        Assert.False(File.Exists(Path.Combine(path, ModelArtifact.WeightsFile)));
        var (spec, metadata) = ModelArtifact.ReadMetadata(path);
        Assert.Equal(ModelRuntime.Onnx, metadata.Runtime);
        Assert.Equal(model.InputShape.ToArray(), metadata.Input!.Shape);
        Assert.Equal(model.OutputShape.ToArray(), metadata.Output!.Shape);
        Assert.Equal(model.ToSpec().ToJson(), spec.ToJson());
        Assert.Equal(Graph(1), ModelArtifact.ReadOnnx(path));
    }

    [Fact]
    public void Loading_an_onnx_only_package_into_torchsharp_says_it_runs_through_onnx_runtime()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);
        var path = _folder.File("int8.zip");
        ModelArtifact.SaveOnnx(model.ToSpec(), Graph(2), new ArtifactMetadata(), path);

        var error = Assert.Throws<NotSupportedException>(() => ModelArtifact.Load(path));
        Assert.Contains("ONNX Runtime", error.Message);
        Assert.Contains("OnnxModel", error.Message);
    }

    [Fact]
    public void The_onnx_graph_is_checksummed_so_a_changed_byte_is_refused_naming_the_file()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);
        var path = _folder.File("int8");
        ModelArtifact.SaveOnnx(model.ToSpec(), Graph(3), new ArtifactMetadata(), path);
        var file = Path.Combine(path, ModelArtifact.OnnxFile);
        var bytes = File.ReadAllBytes(file);
        bytes[10] ^= 1;
        File.WriteAllBytes(file, bytes);

        var error = Assert.Throws<InvalidDataException>(() => ModelArtifact.ReadOnnx(path));
        Assert.Contains(ModelArtifact.OnnxFile, error.Message);
    }

    [Fact]
    public void An_encrypted_onnx_package_stores_the_graph_encrypted_and_reads_it_only_with_its_key()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);
        var key = ArtifactEncryptionKey.Generate();
        var path = _folder.File("secret");
        ModelArtifact.SaveOnnx(model.ToSpec(), Graph(4), new ArtifactMetadata(), path, new ArtifactSaveOptions { EncryptionKey = key });

        Assert.NotEqual(Graph(4), File.ReadAllBytes(Path.Combine(path, ModelArtifact.OnnxFile)));
        Assert.Equal(Graph(4), ModelArtifact.ReadOnnx(path, new ArtifactLoadOptions { EncryptionKey = key }));
        Assert.Throws<InvalidDataException>(() => ModelArtifact.ReadOnnx(path, new ArtifactLoadOptions { EncryptionKey = ArtifactEncryptionKey.Generate() }));
    }

    [Fact]
    public void A_torchsharp_package_may_carry_an_onnx_copy_and_still_loads_with_the_same_predictions()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);
        var path = _folder.File("both.zip");
        ModelArtifact.Save(model, path, new ArtifactMetadata { Runtime = ModelRuntime.Onnx }, new ArtifactSaveOptions { Onnx = Graph(5) });

        using var loaded = ModelArtifact.Load(path);
        Assert.Equal(ModelRuntime.Onnx, loaded.Metadata.Runtime);
        Assert.Equal(ArtifactFixtures.PredictionBytes(model, data.Features), ArtifactFixtures.PredictionBytes(loaded.Model, data.Features));
        Assert.Equal(Graph(5), ModelArtifact.ReadOnnx(path));
    }

    [Fact]
    public void A_package_without_an_onnx_graph_says_so_when_asked_for_it_and_defaults_to_the_torchsharp_runtime()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);
        var path = _folder.File("plain");
        ModelArtifact.Save(model, path);

        Assert.Equal(ModelRuntime.TorchSharp, ModelArtifact.ReadMetadata(path).Metadata.Runtime);
        var error = Assert.Throws<FileNotFoundException>(() => ModelArtifact.ReadOnnx(path));
        Assert.Contains("modelloop export", error.Message);
    }

    [Fact]
    public void Metadata_written_before_the_runtime_field_existed_reads_as_torchsharp()
    {
        var metadata = JsonSerializer.Deserialize<ArtifactMetadata>("""{ "description": "old" }""", ModelArtifact.Json)!;
        Assert.Equal(ModelRuntime.TorchSharp, metadata.Runtime);
        var written = JsonSerializer.Serialize(new ArtifactMetadata { Runtime = ModelRuntime.Onnx }, ModelArtifact.Json);
        Assert.Contains("\"runtime\": \"Onnx\"", written);
    }

    [Fact]
    public void Declaring_the_onnx_runtime_without_a_graph_is_refused_naming_the_option()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);
        var error = Assert.Throws<ArgumentException>(() => ModelArtifact.Save(model, _folder.File("x"), new ArtifactMetadata { Runtime = ModelRuntime.Onnx }));
        Assert.Contains("ArtifactSaveOptions.Onnx", error.Message);
    }

    [Fact]
    public void The_registry_registers_and_resolves_an_onnx_only_package()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);
        var path = _folder.File("int8.zip");
        ModelArtifact.SaveOnnx(model.ToSpec(), Graph(6), new ArtifactMetadata { Metrics = new Dictionary<string, double> { ["test_accuracy"] = 0.9 } }, path);
        var registry = new ModelRegistry(_folder.File("home"));

        var version = registry.Register("fashion", path, new RegisterOptions { Aliases = ["challenger"] });

        var (_, metadata) = registry.ReadMetadata("fashion", "challenger");
        Assert.Equal(ModelRuntime.Onnx, metadata.Runtime);
        Assert.Equal(0.9, version.Metrics["test_accuracy"]);
        Assert.Equal(Graph(6), ModelArtifact.ReadOnnx(registry.GetVersion("fashion", "challenger").ArtifactPath));
        Assert.Throws<NotSupportedException>(() => registry.Load("fashion", "challenger"));
    }

    [Fact]
    public void An_onnx_only_package_whose_model_json_claims_torchsharp_is_refused_by_the_registry()
    {
        using var data = ArtifactFixtures.Data();
        using var model = ArtifactFixtures.TrainedModel(data);
        var path = _folder.File("both");
        ModelArtifact.Save(model, path, new ArtifactMetadata(), new ArtifactSaveOptions { Onnx = Graph(7) });
        // Drop the weights and their manifest entry: model.json still declares TorchSharp.
        File.Delete(Path.Combine(path, ModelArtifact.WeightsFile));
        var manifestPath = Path.Combine(path, ModelArtifact.ManifestFile);
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["files"]!.AsObject().Remove(ModelArtifact.WeightsFile);
        File.WriteAllText(manifestPath, manifest.ToJsonString());

        var error = Assert.Throws<InvalidDataException>(() => new ModelRegistry(_folder.File("home")).Register("m", path));
        Assert.Contains("TorchSharp runtime", error.Message);
    }
}
