using ModelLoop.Artifacts;
using ModelLoop.Data;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;
using ModelLoop.Data.Versioning;

namespace ModelLoop.Loop;

/// <summary>
/// A run's data after <see cref="DataSource.Load"/>: training, validation and test tensors, what turned raw data into
/// them (the pipeline, fitted on the training part only), the split, the dataset manifest whose hash is the data's
/// version, and for tables the raw rows of each part (for group metrics and for records sent to a server).
/// </summary>
public sealed class LoadedData : IDisposable
{
    /// <summary>Data a caller loaded itself (a language-model corpus, <c>LanguageModelData</c>); <see cref="DataSource.Load"/> makes the rest.</summary>
    public LoadedData(TensorDataset train, TensorDataset? validation, TensorDataset test, DatasetManifest manifest, TrainingDataSplit split, ModelTask task)
    {
        Train = train;
        Validation = validation;
        Test = test;
        Manifest = manifest;
        Split = split;
        Task = task;
    }

    public TensorDataset Train { get; }
    /// <summary>Null when the config asked for no validation split.</summary>
    public TensorDataset? Validation { get; }
    public TensorDataset Test { get; }
    public DatasetManifest Manifest { get; }
    /// <summary>How the data was cut from its source, recorded in the model package so evaluation rebuilds the test part.</summary>
    public TrainingDataSplit Split { get; }
    public ModelTask Task { get; }
    /// <summary>The fitted preprocessing (tables: the whole pipeline; images: the normalization), or null when none was applied.</summary>
    public PreprocessingPipeline? Pipeline { get; init; }
    /// <summary>Class names in class-index order (classification), else null.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }
    /// <summary>The raw rows of a table's parts; null for images.</summary>
    public RawTable? TrainRows { get; init; }
    /// <summary>The raw validation rows of a table; null for images or no validation split.</summary>
    public RawTable? ValidationRows { get; init; }
    /// <summary>The raw test rows of a table; null for images.</summary>
    public RawTable? TestRows { get; init; }
    public bool IsTable => TestRows is not null;

    /// <summary>The network's output width: the class count (at least 2) for classification, the label width for regression.</summary>
    public int Outputs => Task == ModelTask.Regression
        ? (Train.Labels.dim() > 1 ? (int)Train.Labels.shape[1] : 1)
        : Math.Max(2, ClassNames?.Count ?? (int)Train.LabelRange().Max + 1);

    /// <summary>
    /// The same data description (pipeline, class names, split, manifest, task) over other parts, e.g. a shadow model's
    /// half of a population for <see cref="TrainingJob.Run(TrainingConfig, LoadedData, TrainingJobOptions?)"/>. The new
    /// object owns the given datasets (disposing it disposes them); this one is unchanged.
    /// </summary>
    public LoadedData WithParts(TensorDataset train, TensorDataset? validation, TensorDataset test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        return new LoadedData(train, validation, test, Manifest, Split, Task) { Pipeline = Pipeline, ClassNames = ClassNames };
    }

    public void Dispose()
    {
        Train.Dispose();
        Validation?.Dispose();
        Test.Dispose();
    }
}
