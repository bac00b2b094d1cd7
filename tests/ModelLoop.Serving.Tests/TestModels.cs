using System.Text.Json.Nodes;
using ModelLoop.Artifacts;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;

namespace ModelLoop.Serving.Tests;

/// <summary>Tiny randomly initialized models written as run folders (the model package in RUN/artifact, as `modelloop train` writes it).</summary>
internal static class TestModels
{
    /// <summary>Dense 4 → 8 (ReLU) → 3, seeded so two seeds give different weights.</summary>
    public static Sequential Tabular(long seed)
    {
        TorchSharp.torch.random.manual_seed(seed);
        var model = new Sequential(4) { new Dense(8, Activation.Relu), new Dense(3) };
        _ = model.Network;
        return model;
    }

    /// <summary>A small CNN on 1×8×8 images with 2 classes.</summary>
    public static Sequential Image(long seed)
    {
        TorchSharp.torch.random.manual_seed(seed);
        var model = new Sequential(1, 8, 8) { new Conv2D(4, 3, Activation.Relu), new Flatten(), new Dense(2) };
        _ = model.Network;
        return model;
    }

    /// <summary>A token-id model: 5 ids from a vocabulary of 10 → Embedding(10, 4) → Flatten → 2 classes.</summary>
    public static Sequential Text(long seed)
    {
        TorchSharp.torch.random.manual_seed(seed);
        var model = new Sequential(new Shape(5), InputKind.TokenIds) { new Embedding(10, 4), new Flatten(), new Dense(2) };
        _ = model.Network;
        return model;
    }

    /// <summary>
    /// Saves <paramref name="model"/> as the artifact of run folder <paramref name="folder"/> (FOLDER/artifact), with
    /// input feature names, output (class) names and a fitted pipeline when given. Returns the artifact's path.
    /// </summary>
    public static string WriteRun(string folder, Model model, IReadOnlyList<string>? featureNames = null,
        IReadOnlyList<string>? outputNames = null, PreprocessingPipeline? pipeline = null)
    {
        Directory.CreateDirectory(folder);
        var artifact = Path.Combine(folder, "artifact");
        ModelArtifact.Save(model, artifact, new ArtifactMetadata
        {
            Input = featureNames is null ? null : new TensorSchema(model.InputShape.ToArray(), "F32", featureNames),
            Output = outputNames is null ? null : new TensorSchema(model.OutputShape.ToArray(), "F32", outputNames),
            Preprocessing = pipeline is null ? null : JsonNode.Parse(pipeline.ToJson()),
        }, new ArtifactSaveOptions { Overwrite = true });
        return artifact;
    }

    /// <summary>What the model itself predicts for one flat item (the reference the server must match).</summary>
    public static float[] Reference(Model model, float[] item)
    {
        using var input = TorchSharp.torch.tensor(item, model.InputShape.WithBatch(1));
        using var output = model.Predict(input);
        return output.data<float>().ToArray();
    }

    /// <summary>A temporary folder removed on dispose.</summary>
    public sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("modelloop-serving-").FullName;
        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may still hold the WAL for a moment; the OS cleans temp folders.
            }
        }
    }
}
