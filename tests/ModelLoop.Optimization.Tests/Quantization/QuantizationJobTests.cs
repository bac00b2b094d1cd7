using System.Globalization;
using ModelLoop.Artifacts;
using ModelLoop.Loop;
using ModelLoop.Optimization.Onnx;
using ModelLoop.Optimization.Quantization;
using ModelLoop.Training;

namespace ModelLoop.Optimization.Tests.Quantization;

public sealed class QuantizationJobTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelloop-quantization-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_trained_cnn_package_becomes_a_static_int8_onnx_package_with_its_test_accuracy_and_lineage()
    {
        var run = Train("keras-cnn", SyntheticImages.Write(Path.Combine(_folder, "images")), epochs: 2);
        var output = Path.Combine(_folder, "int8");

        var result = QuantizationJob.Run(run, new QuantizationOptions { CalibrationSamples = 128 }, new QuantizationJobOptions { Output = output });

        Assert.Equal(QuantizationMode.Static, result.Mode);
        Assert.Equal(128, result.CalibrationSamples);
        Assert.True(result.SizeRatio > 3.5, $"size ratio {result.SizeRatio:F2}");
        Assert.True(result.Fp32TestMetrics["test_accuracy"] > 0.8, $"the fp32 model reached only {result.Fp32TestMetrics["test_accuracy"]:P1}; the comparison needs a trained model");
        Assert.InRange(result.TestMetrics["test_accuracy"], result.Fp32TestMetrics["test_accuracy"] - 0.01, 1);
        var metadata = AssertPackage(output, result);
        Assert.StartsWith("int8 static quantization (per-channel weights, 128 calibration samples", metadata.Description);
        using var onnx = new OnnxModel(ModelArtifact.ReadOnnx(output));
        Assert.Equal([1L, 28, 28], onnx.InputShape);
        // Drift monitoring works on the int8 model: its graph gives embeddings, and the reference profile holds its own.
        Assert.True(onnx.HasEmbedding);
        var reference = Assert.IsType<ReferenceProfile>(metadata.Reference);
        var (_, parent) = ModelArtifact.ReadMetadata(Path.Combine(run, "artifact"));
        Assert.Equal(parent.Reference!.Embeddings!.Dimensions, reference.Embeddings!.Dimensions);
        Assert.NotEqual(parent.Reference.Embeddings.Sample[0], reference.Embeddings.Sample[0]);
    }

    [Fact]
    public void Fine_tuning_from_an_int8_package_starts_from_the_fp32_weights_it_was_quantized_from()
    {
        var run = Train("keras-cnn", SyntheticImages.Write(Path.Combine(_folder, "images"), train: 300, test: 100), epochs: 1);
        var int8 = QuantizationJob.Run(run, new QuantizationOptions { CalibrationSamples = 32 },
            new QuantizationJobOptions { Output = Path.Combine(_folder, "int8"), MaxAccuracyDrop = null }).Path;
        var parentConfig = TrainingConfig.Load(Path.Combine(run, "config.json"));

        // A learning rate of ~0 keeps the starting weights: the fine-tuned package must hold the fp32 parent's weights.
        var tuned = TrainingJob.Run(parentConfig with
        {
            InitFrom = int8,
            Optimizer = new OptimizerConfig { Name = "sgd", LearningRate = 1e-30 },
            Epochs = 1,
        }, new TrainingJobOptions { OutputDirectory = Path.Combine(_folder, "tuned"), Track = false, Progress = ProgressMode.Silent });

        using var before = ModelPackage.Load(Path.Combine(run, "artifact"));
        using var after = ModelPackage.Load(tuned.PackagePath);
        foreach (var (name, weight) in before.Model.Network.state_dict())
            Assert.True(weight.allclose(after.Model.Network.state_dict()[name], rtol: 0, atol: 1e-6), $"{name} changed");
        Assert.Equal(int8, after.Lineage.ParentModel);
    }

    [Fact]
    public void A_trained_mlp_package_is_quantized_dynamically_by_default()
    {
        var run = Train("mlp", TableCsv(), epochs: 3);

        var result = QuantizationJob.Run(run, jobOptions: new QuantizationJobOptions { Output = Path.Combine(_folder, "mlp-int8") });

        Assert.Equal(QuantizationMode.Dynamic, result.Mode);
        Assert.Equal(0, result.CalibrationSamples);
        Assert.InRange(result.TestMetrics["test_accuracy"], result.Fp32TestMetrics["test_accuracy"] - 0.01, 1);
        var metadata = AssertPackage(result.Path, result);
        Assert.StartsWith("int8 dynamic quantization", metadata.Description);
        Assert.NotNull(metadata.Preprocessing); // the table pipeline travels with the int8 model
    }

    [Fact]
    public void An_int8_model_that_loses_too_much_accuracy_is_refused_with_the_numbers_and_what_to_do()
    {
        var run = Train("keras-cnn", SyntheticImages.Write(Path.Combine(_folder, "images"), train: 500, test: 200), epochs: 1);
        var output = Path.Combine(_folder, "bad");

        // Ranges cut at the 50.01st percentile clip nearly every activation: the int8 model is close to a guess.
        var error = Assert.Throws<QuantizationAccuracyException>(() => QuantizationJob.Run(run,
            new QuantizationOptions { CalibrationSamples = 64, CalibrationMethod = CalibrationMethod.Percentile, Percentile = 50.01 },
            new QuantizationJobOptions { Output = output, MaxAccuracyDrop = 0.02 }));

        Assert.Contains("MaxAccuracyDrop", error.Message);
        Assert.Contains("What to do", error.Message);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Bad_job_options_are_refused_before_anything_is_loaded()
    {
        var missing = Path.Combine(_folder, "no-such-model");
        var zero = Assert.Throws<ArgumentException>(() => QuantizationJob.Run(missing, new QuantizationOptions { CalibrationSamples = 0 }));
        Assert.Contains("CalibrationSamples", zero.Message);
        var threads = Assert.Throws<ArgumentException>(() => QuantizationJob.Run(missing, jobOptions: new QuantizationJobOptions { Threads = -1 }));
        Assert.Contains("Threads is -1", threads.Message);
        var drop = Assert.Throws<ArgumentException>(() => QuantizationJob.Run(missing, jobOptions: new QuantizationJobOptions { MaxAccuracyDrop = 5 }));
        Assert.Contains("MaxAccuracyDrop is 5", drop.Message);
    }

    [Fact]
    public void An_existing_output_is_not_replaced_unless_asked()
    {
        var run = Train("mlp", TableCsv(), epochs: 1);
        var output = Directory.CreateDirectory(Path.Combine(_folder, "taken")).FullName;

        var error = Assert.Throws<ArgumentException>(() => QuantizationJob.Run(run, jobOptions: new QuantizationJobOptions { Output = output, MaxAccuracyDrop = null }));
        Assert.Contains("Output", error.Message);
        Assert.Contains("Overwrite", error.Message);
        var result = QuantizationJob.Run(run, jobOptions: new QuantizationJobOptions { Output = output, Overwrite = true, MaxAccuracyDrop = null });
        Assert.Equal(result.SizeBytes, ModelArtifact.ReadOnnx(result.Path).LongLength);
    }

    /// <summary>The package verifies as an ONNX-only package whose graph is the int8 model, naming its parent and holding the int8 metrics.</summary>
    private static ArtifactMetadata AssertPackage(string folder, QuantizationResult result)
    {
        var (_, metadata, _) = ModelArtifact.Validate(folder);
        Assert.Equal(ModelRuntime.Onnx, metadata.Runtime);
        Assert.Equal(result.SizeBytes, ModelArtifact.ReadOnnx(folder).LongLength);
        // No weights: ONNX Runtime only — it loads as an inference-only model once ONNX Runtime's loader is registered.
        ModelLoop.Optimization.Runtime.OnnxRuntimeSupport.Register();
        using (var loaded = ModelArtifact.Load(folder))
            Assert.IsType<Modeling.InferenceOnlyModel>(loaded.Model);
        Assert.Equal(result.ParentModel, metadata.Lineage.ParentModel);
        Assert.True(Path.IsPathRooted(metadata.Lineage.ParentModel), "the lineage names the exact parent package");
        Assert.NotNull(metadata.Lineage.Split); // evaluation can rebuild the test rows
        Assert.Equal(result.TestMetrics["test_accuracy"], metadata.Metrics["test_accuracy"]);
        Assert.Equal(result.Fp32TestMetrics["test_accuracy"], metadata.Metrics["fp32_test_accuracy"]);
        return metadata;
    }

    private string Train(string zoo, string source, int epochs)
    {
        var result = TrainingJob.Run(new TrainingConfig
        {
            Model = new ModelConfig { Zoo = zoo, Hidden = zoo == "mlp" ? [16] : null },
            Data = new DataConfig { Source = source, Label = "label", Validation = 0.1, SplitSeed = 2 },
            Epochs = epochs,
            BatchSize = 32,
            Seed = 1,
        }, new TrainingJobOptions { OutputDirectory = Path.Combine(_folder, "run-" + zoo), Track = false, Progress = ProgressMode.Silent });
        return Path.GetDirectoryName(result.PackagePath)!;
    }

    /// <summary>400 rows of two numeric columns and a category; the label is whether x + y is above 1, flipped when colour is red.</summary>
    private string TableCsv()
    {
        var random = new Random(4);
        var path = Path.Combine(_folder, "table.csv");
        File.WriteAllLines(path, new[] { "x,y,colour,label" }.Concat(Enumerable.Range(0, 400).Select(_ =>
        {
            var (x, y, colour) = (random.NextDouble(), random.NextDouble(), new[] { "red", "blue", "green" }[random.Next(3)]);
            return string.Create(CultureInfo.InvariantCulture, $"{x:F4},{y:F4},{colour},{((x + y > 1) ^ (colour == "red") ? "yes" : "no")}");
        })));
        return path;
    }
}
