using System.Text.Json;
using ModelLoop.Data;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Versioning;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// Training and test tensors made from a --data argument, the dataset manifest whose hash is their version, and what
/// turned raw data into those tensors: the CSV split and pipeline (<see cref="Tabular"/>) or the image normalization.
/// </summary>
internal sealed record LoadedData(TensorDataset Train, TensorDataset Test, DatasetManifest Manifest) : IDisposable
{
    /// <summary>The CSV rows, split and fitted pipeline; null for image data.</summary>
    public TabularData? Tabular { get; init; }
    /// <summary>The image normalization applied to both sets, or null when the images were left in [0, 1].</summary>
    public PreprocessingPipeline? ImagePipeline { get; init; }
    /// <summary>The pipeline to save with a model trained on this data (null: none was applied).</summary>
    public PreprocessingPipeline? Pipeline => Tabular?.Pipeline ?? ImagePipeline;
    public bool IsImages => Tabular is null;

    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }
}

/// <summary>Turns the --data argument into training and test sets with their dataset version.</summary>
internal static class DatasetSource
{
    /// <param name="data">"fashion-mnist", a folder of Fashion-MNIST IDX files, a folder from `data prepare`, or a .csv file.</param>
    /// <param name="label">Label column of a CSV file.</param>
    /// <param name="regression">True when CSV labels are values (MSE), false for classes.</param>
    /// <param name="limit">Keep only the first N training samples.</param>
    /// <param name="test">Test fraction of a CSV file.</param>
    /// <param name="seed">Seed of a CSV file's split.</param>
    /// <param name="fitted">A trained model's pipeline to apply instead of fitting one (eval); null fits on the training rows.</param>
    /// <param name="normalizeImages">Fit per-channel normalization on the training images and apply it to both sets (when <paramref name="fitted"/> has none).</param>
    public static LoadedData Load(string data, string label, bool regression, int? limit, double test, int seed,
        PreprocessingPipeline? fitted = null, bool normalizeImages = false)
    {
        if (data.Equals("fashion-mnist", StringComparison.OrdinalIgnoreCase))
            data = FashionMnist.DefaultDirectory;
        if (Directory.Exists(data) && File.Exists(Path.Combine(data, "manifest.json")))
            return FromTabular(TabularData.LoadPrepared(data, limit, fitted?.Image is null ? fitted : null));
        if (Directory.Exists(data) || data == FashionMnist.DefaultDirectory)
            return LoadImages(data, limit, fitted?.Image is not null ? fitted : null, normalizeImages);
        if (data.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || data.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase))
            return FromTabular(TabularData.Load(data, label, regression, test, seed, limit, fitted?.Image is null ? fitted : null));
        throw new ArgumentException($"--data '{data}' is neither 'fashion-mnist', a folder of Fashion-MNIST IDX files, a folder written by `modelloop data prepare`, nor a .csv/.tsv file.");
    }

    private static LoadedData FromTabular(TabularData tabular)
    {
        var (train, test) = tabular.ToDatasets();
        return new LoadedData(train, test, tabular.Manifest) { Tabular = tabular };
    }

    private static LoadedData LoadImages(string directory, int? limit, PreprocessingPipeline? fitted, bool normalize)
    {
        FashionMnistInstaller.Ensure(directory);
        var (train, test) = FashionMnist.Load(directory, trainLimit: limit);
        var pipeline = fitted ?? (normalize ? PreprocessingPipeline.FitImages(train.Features) : null);
        if (pipeline is not null)
            (train, test) = (Normalize(pipeline, train), Normalize(pipeline, test));
        return new LoadedData(train, test, ImageManifest(directory, train, test, pipeline)) { ImagePipeline = pipeline };
    }

    /// <summary>The dataset with normalized features; the labels move over, the old features are freed.</summary>
    private static TensorDataset Normalize(PreprocessingPipeline pipeline, TensorDataset data)
    {
        // detach() is a new handle on the same storage, so disposing the old dataset leaves the labels alive.
        var normalized = new TensorDataset(pipeline.TransformImages(data.Features), data.Labels.detach());
        data.Dispose();
        return normalized;
    }

    /// <summary>
    /// The version of an IDX image folder: SHA-256 of its files, the counts used (a --limit makes another version) and
    /// the normalization. Train/test are the files' own split, so there is no seed.
    /// </summary>
    public static DatasetManifest ImageManifest(string directory, TensorDataset train, TensorDataset test, PreprocessingPipeline? pipeline)
    {
        using var pipelineJson = pipeline is null ? null : JsonDocument.Parse(pipeline.ToJson());
        return new DatasetManifest
        {
            Name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory))),
            SourceSha256 = ContentHash.OfDirectory(directory),
            Counts = new Dictionary<string, int> { ["train"] = (int)train.Count, ["test"] = (int)test.Count },
            Pipeline = pipelineJson?.RootElement.Clone(),
        };
    }
}
