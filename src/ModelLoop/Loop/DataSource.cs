using System.Globalization;
using System.Text.Json;
using ModelLoop.Artifacts;
using ModelLoop.Data;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;
using ModelLoop.Data.Versioning;

namespace ModelLoop.Loop;

/// <summary>
/// The one data path of a run: load the source → train/validation/test split (seeded; stratified by class for
/// classification) → fit the pipeline on the training part only → apply it to every part → the manifest whose hash is
/// the data's version. Training, evaluation, comparisons and retraining all come through here, so a model's test rows
/// are rebuilt exactly from the split its package recorded.
/// </summary>
public static class DataSource
{
    /// <summary>The source name that means Debian's Fashion-MNIST.</summary>
    public const string FashionMnistName = "fashion-mnist";

    /// <param name="config">Source, label, split and preprocessing choices.</param>
    /// <param name="task">Classification (labels are classes) or regression (labels are values).</param>
    /// <param name="fitted">A trained model's pipeline to apply instead of fitting one (evaluation); null fits on the training part.</param>
    /// <exception cref="ArgumentException">The source is none of the kinds accepted, or a column or fraction is wrong.</exception>
    public static LoadedData Load(DataConfig config, ModelTask task, PreprocessingPipeline? fitted = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var source = ResolveSource(config.Source);
        if (Directory.Exists(source) && File.Exists(Path.Combine(source, "manifest.json")))
            return Prepared(source, config, task, fitted);
        if (Directory.Exists(source))
            return Images(source, config, task, fitted);
        if (source.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || source.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(source))
                throw new FileNotFoundException($"data.source '{config.Source}' does not exist. Pass an existing .csv/.tsv file.", source);
            return Table(TabularReader.Read(source), Path.GetFileName(source), ContentHash.OfFile(source), config, task, fitted);
        }
        throw new ArgumentException($"data.source '{config.Source}' is neither '{FashionMnistName}', a folder of MNIST-family IDX files, a folder written by `modelloop data prepare`, nor a .csv/.tsv file.");
    }

    /// <summary>
    /// Every labelled row of <paramref name="source"/> as inputs for <paramref name="package"/> — its own pipeline, its
    /// class order — e.g. held-out feedback to compare a champion and a challenger on: a .csv/.tsv with the model's input
    /// columns and its label column (unlabelled rows dropped), or a folder with one sub-folder per class of images (see
    /// <see cref="DataConfig.ExtraTrain"/> for the folder names), scaled like the IDX files and then normalized as the
    /// model was. Rows keep the file's order (images: class folder, then file name).
    /// </summary>
    /// <exception cref="ArgumentException">The source does not fit the model (missing columns, unknown class folder, a table for an image model…).</exception>
    /// <exception cref="FormatException">A cell or label the pipeline cannot read; the message names the row.</exception>
    public static TensorDataset LoadLabelled(string source, ModelPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        return LoadLabelled(source, package.Info, package.Model.InputShape, $"the model '{package.Path}'").Data;
    }

    /// <summary>
    /// As <see cref="LoadLabelled(string, ModelPackage)"/> for a model described by its <paramref name="info"/> and input
    /// shape (e.g. one being packaged), with the raw rows of a table source (null for images).
    /// </summary>
    internal static (TensorDataset Data, RawTable? Rows) LoadLabelled(string source, PackageInfo info, Modeling.Shape inputShape, string model)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        ArgumentNullException.ThrowIfNull(info);
        if (LabelledSources.IsTable(source))
        {
            if (info.Pipeline is not { Image: null, Columns.Count: > 0 } pipeline)
                throw new ArgumentException($"'{source}' is a table, but {model} takes tensors of shape {inputShape}; pass an image folder (one sub-folder per class).");
            var label = pipeline.Label?.Name ?? throw new ArgumentException($"{char.ToUpperInvariant(model[0])}{model[1..]} was trained without a label column, so '{source}' cannot be read as labelled rows.");
            var table = LabelledSources.ReadTable(source, pipeline.Columns.Select(c => c.Name).Append(label).ToArray(), pipeline, label, "The labelled data");
            return (pipeline.ToDataset(table), table);
        }
        if (info.Task != ModelTask.Classification)
            throw new ArgumentException($"'{source}' is an image folder, which holds classes, but {model} is a {info.Task} model.");
        var classes = Enumerable.Range(0, info.ClassCount).Select(info.Label).ToArray();
        var images = LabelledSources.ReadImages(source, classes, inputShape, "The labelled data");
        return (info.Pipeline?.Image is null ? images : Normalize(info.Pipeline, images), null);
    }

    /// <summary>"fashion-mnist" → Debian's folder; anything else as given.</summary>
    public static string ResolveSource(string source) =>
        source.Equals(FashionMnistName, StringComparison.OrdinalIgnoreCase) ? FashionMnist.DefaultDirectory : source;

    /// <summary>An in-memory table through the same path as a file (tests, feedback exports).</summary>
    public static LoadedData Table(RawTable table, string name, string sourceSha256, DataConfig config, ModelTask task, PreprocessingPipeline? fitted = null)
    {
        if (!table.Columns.Contains(config.Label))
            throw new ArgumentException($"data.label '{config.Label}' is not a column of '{name}'. Its columns are: {string.Join(", ", table.Columns)}. Name the label column (--label).");
        var preprocessing = new PreprocessingOptions
        {
            LabelKind = task == ModelTask.Regression ? LabelKind.Value : LabelKind.ClassIndex,
            Scaling = config.Scaling,
            TextEncoding = config.TextEncoding,
            UnknownCategories = config.UnknownCategories,
        };
        var prepared = DatasetPreparer.Split(table, name, sourceSha256, new PrepareOptions
        {
            LabelColumn = config.Label,
            Validation = config.Validation,
            Test = config.Test,
            Seed = config.SplitSeed,
            RemoveDuplicates = config.RemoveDuplicates,
            Preprocessing = preprocessing,
        });
        if (config.Limit is { } limit && limit < prepared.Train.Count && fitted is null)
        {
            // The pipeline is fitted on the rows the model trains on, and the manifest records that pipeline.
            var rows = prepared.Train.Select(Enumerable.Range(0, limit).ToArray());
            var pipeline = PreprocessingPipeline.Fit(rows, preprocessing with { LabelColumn = config.Label });
            using var json = JsonDocument.Parse(pipeline.ToJson());
            prepared = prepared with { Train = rows, Pipeline = pipeline, Manifest = prepared.Manifest with { Pipeline = json.RootElement.Clone() } };
        }
        var split = new TrainingDataSplit(name, sourceSha256, config.Label, config.Validation, config.Test, config.SplitSeed, task == ModelTask.Classification);
        return FromTables(prepared, split, config, task, fitted);
    }

    private static LoadedData Prepared(string folder, DataConfig config, ModelTask task, PreprocessingPipeline? fitted)
    {
        var manifest = DatasetManifest.Load(Path.Combine(folder, "manifest.json"));
        var changed = manifest.Verify(folder);
        if (changed.Count > 0)
            throw new InvalidDataException($"Dataset folder '{folder}' no longer matches its manifest: {string.Join(", ", changed)} missing or changed. Prepare it again with `modelloop data prepare`.");
        var label = manifest.LabelColumn
            ?? throw new InvalidDataException($"Dataset folder '{folder}' was prepared without a label column; training needs one. Prepare it again with `modelloop data prepare FILE --label COLUMN`.");
        var pipeline = PreprocessingPipeline.FromJson(File.ReadAllText(Path.Combine(folder, "pipeline.json")));
        RawTable Part(string file) => File.Exists(Path.Combine(folder, file)) ? TabularReader.Read(Path.Combine(folder, file)) : new RawTable([], []);
        var prepared = new PreparedDataset(manifest, folder, Part("train.csv"), Part("validation.csv"), Part("test.csv"), pipeline, null);
        var total = (double)manifest.Counts.Values.Sum();
        double Share(string part) => total > 0 && manifest.Counts.TryGetValue(part, out var count) ? count / total : 0;
        var split = new TrainingDataSplit(manifest.Name, manifest.SourceSha256, label, Share("validation"), Share("test"),
            (int)manifest.SplitSeeds.GetValueOrDefault("split"), manifest.ClassBalance.Count > 0);
        return FromTables(prepared, split, config with { Label = label }, task, fitted);
    }

    private static LoadedData FromTables(PreparedDataset prepared, TrainingDataSplit split, DataConfig config, ModelTask task, PreprocessingPipeline? fitted)
    {
        var pipeline = fitted ?? prepared.Pipeline;
        if (pipeline.Image is not null)
            throw new ArgumentException($"The model's preprocessing is for images, but data.source '{config.Source}' is a table. Evaluate it on image data.");
        var trainRows = config.Limit is { } n && n < prepared.Train.Count ? prepared.Train.Select(Enumerable.Range(0, n).ToArray()) : prepared.Train;
        if (trainRows.Count == 0 || prepared.Test.Count == 0)
            throw new ArgumentException($"'{split.Source}' leaves {trainRows.Count} training and {prepared.Test.Count} test rows after the split (validation {Describe(split.Validation)}, test {Describe(split.Test)}); both need at least one. Add rows or change data.test.");
        var notes = new Dictionary<string, string>(prepared.Manifest.Notes);
        var counts = new Dictionary<string, int>(prepared.Manifest.Counts);
        if (config.Limit is { } limit)
            notes["trainLimit"] = limit.ToString(CultureInfo.InvariantCulture);
        if (ReplaySample(trainRows.Count, config, notes) is { } replay)
            trainRows = trainRows.Select(replay);
        if (config.ExtraTrain is { Count: > 0 } extraSources)
        {
            var extra = extraSources.Select(path => LabelledSources.ReadTable(path, trainRows.Columns, pipeline, config.Label, "data.extraTrain")).ToArray();
            NoteExtra(extraSources, extra.Select(t => (long)t.Count).ToArray(), notes, counts);
            trainRows = new RawTable(trainRows.Columns, trainRows.Rows.Concat(extra.SelectMany(t => t.Rows)).ToArray(), trainRows.Inference);
        }
        var datasets = new List<TensorDataset>();
        try
        {
            datasets.Add(pipeline.ToDataset(trainRows));
            TensorDataset? validation = null;
            if (prepared.Validation.Count > 0)
                datasets.Add(validation = pipeline.ToDataset(prepared.Validation));
            var test = pipeline.ToDataset(prepared.Test);
            datasets.Add(test);
            // The manifest names the pipeline the rows went through: a package's own when one was given (fine-tuning reuses it).
            using var fittedJson = fitted is null ? null : JsonDocument.Parse(fitted.ToJson());
            var manifest = prepared.Manifest with { Notes = notes, Counts = counts, Pipeline = fittedJson?.RootElement.Clone() ?? prepared.Manifest.Pipeline };
            return new LoadedData(datasets[0], validation, test, manifest, split, task)
            {
                Pipeline = pipeline,
                ClassNames = task == ModelTask.Classification ? pipeline.Label?.Classes : null,
                TrainRows = trainRows,
                ValidationRows = prepared.Validation.Count > 0 ? prepared.Validation : null,
                TestRows = prepared.Test,
            };
        }
        catch
        {
            datasets.ForEach(d => d.Dispose());
            throw;
        }
    }

    /// <summary>The sorted indices of the seeded replay sample of <paramref name="count"/> training rows, or null to keep all; notes what was kept.</summary>
    private static int[]? ReplaySample(int count, DataConfig config, Dictionary<string, string> notes)
    {
        if (config.Replay is not { } replay)
            return null;
        var keep = Math.Max(1, replay < 1 ? (int)Math.Round(count * replay) : (int)Math.Min(count, replay));
        notes["replay"] = string.Create(CultureInfo.InvariantCulture, $"{keep} of {count} training rows (seed {config.SplitSeed})");
        if (keep >= count)
            return null;
        var order = Enumerable.Range(0, count).ToArray();
        new Random(config.SplitSeed).Shuffle(order);
        return order[..keep].Order().ToArray();
    }

    private static void NoteExtra(IReadOnlyList<string> sources, IReadOnlyList<long> rows, Dictionary<string, string> notes, Dictionary<string, int> counts)
    {
        notes["extraTrain"] = string.Join("; ", sources.Select((path, i) => LabelledSources.Describe(path, rows[i])));
        counts["extraTrain"] = (int)rows.Sum();
    }

    private static LoadedData Images(string directory, DataConfig config, ModelTask task, PreprocessingPipeline? fitted)
    {
        if (task != ModelTask.Classification)
            throw new ArgumentException($"data.source '{config.Source}' holds labelled images, which are classified; use a classification loss (cross_entropy), not mse.");
        if (fitted is { Image: null })
            throw new ArgumentException($"The model's preprocessing is for a table (columns {string.Join(", ", fitted.Columns.Select(c => c.Name).Take(5))}…), but data.source '{config.Source}' is a folder of images. Evaluate it on the table it was trained on.");
        var (all, test) = FashionMnist.Load(directory);
        TensorDataset? train = null, validation = null;
        try
        {
            if (config.Validation > 0)
            {
                (train, validation) = all.Split(1 - config.Validation, config.SplitSeed);
                all.Dispose();
            }
            else
                train = all;
            if (config.Limit is { } limit && limit < train.Count)
            {
                var limited = train.Slice(0, limit);
                train.Dispose();
                train = limited;
            }
            var notes = new Dictionary<string, string> { ["validation"] = Describe(config.Validation), ["trainLimit"] = config.Limit?.ToString(CultureInfo.InvariantCulture) ?? "all" };
            var extraCounts = new Dictionary<string, int>();
            if (ReplaySample((int)train.Count, config, notes) is { } replay)
            {
                using var indices = TorchSharp.torch.tensor(replay.Select(i => (long)i).ToArray());
                var sampled = new TensorDataset(train.Features.index_select(0, indices), train.Labels.index_select(0, indices));
                train.Dispose();
                train = sampled;
            }
            var classNames = ImageClassNames(directory, config, train, test);
            if (config.ExtraTrain is { Count: > 0 } extraSources)
            {
                var rows = new List<long>();
                foreach (var path in extraSources)
                {
                    using var extra = LabelledSources.ReadImages(path, classNames, train.SampleShape, "data.extraTrain");
                    rows.Add(extra.Count);
                    var joined = new TensorDataset(TorchSharp.torch.cat([train.Features, extra.Features]), TorchSharp.torch.cat([train.Labels, extra.Labels]));
                    train.Dispose();
                    train = joined;
                }
                NoteExtra(extraSources, rows, notes, extraCounts);
            }
            var pipeline = fitted?.Image is not null ? fitted : config.NormalizeImages ? PreprocessingPipeline.FitImages(train.Features) : null;
            if (pipeline is not null)
            {
                train = Normalize(pipeline, train);
                validation = validation is null ? null : Normalize(pipeline, validation);
                test = Normalize(pipeline, test);
            }
            var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
            var sha = ContentHash.OfDirectory(directory);
            using var pipelineJson = pipeline is null ? null : JsonDocument.Parse(pipeline.ToJson());
            var counts = new Dictionary<string, int>(extraCounts) { ["train"] = (int)train.Count, ["test"] = (int)test.Count };
            if (validation is not null)
                counts["validation"] = (int)validation.Count;
            var manifest = new DatasetManifest
            {
                Name = name,
                SourceSha256 = sha,
                Counts = counts,
                SplitSeeds = new Dictionary<string, long> { ["split"] = config.SplitSeed },
                Pipeline = pipelineJson?.RootElement.Clone(),
                Notes = notes,
            };
            return new LoadedData(train, validation, test, manifest, new TrainingDataSplit(name, sha, null, config.Validation, 0, config.SplitSeed, false), task)
            {
                Pipeline = pipeline,
                ClassNames = classNames,
            };
        }
        catch
        {
            all.Dispose();
            train?.Dispose();
            validation?.Dispose();
            test.Dispose();
            throw;
        }
    }

    /// <summary>Fashion-MNIST's names for its ten classes, else the class indices as text ("0", "1", …).</summary>
    private static string[] ImageClassNames(string directory, DataConfig config, TensorDataset train, TensorDataset test)
    {
        var classes = (int)Math.Max(train.LabelRange().Max, test.LabelRange().Max) + 1;
        var isFashion = Path.GetFullPath(directory) == Path.GetFullPath(FashionMnist.DefaultDirectory) || config.Source.Equals(FashionMnistName, StringComparison.OrdinalIgnoreCase);
        return isFashion && classes == FashionMnist.ClassNames.Length
            ? FashionMnist.ClassNames
            : Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>The dataset with normalized features; the labels move over, the old features are freed.</summary>
    private static TensorDataset Normalize(PreprocessingPipeline pipeline, TensorDataset data)
    {
        // detach() is a new handle on the same storage, so disposing the old dataset leaves the labels alive.
        var normalized = new TensorDataset(pipeline.TransformImages(data.Features), data.Labels.detach());
        data.Dispose();
        return normalized;
    }

    private static string Describe(double fraction) => fraction.ToString("0.####", CultureInfo.InvariantCulture);
}
