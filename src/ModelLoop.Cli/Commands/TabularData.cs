using System.Globalization;
using System.Text.Json;
using ModelLoop.Data;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;
using ModelLoop.Data.Splits;
using ModelLoop.Data.Versioning;
using ModelLoop.Artifacts;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// A CSV file cut into training and test rows (raw cells), the preprocessing pipeline fitted on the training rows
/// only, the split that made them, and the dataset manifest whose hash is the data's version.
/// </summary>
internal sealed record TabularData(RawTable Train, RawTable Test, PreprocessingPipeline Pipeline, TrainingDataSplit Split, DatasetManifest Manifest)
{
    /// <summary>The default test fraction of train and eval: the 80/20 split ModelLoop always made.</summary>
    public const double DefaultTestFraction = 0.2;

    /// <summary>
    /// Reads <paramref name="path"/> with the data stage (schema inference: numeric, categorical, text, dates; missing
    /// markers), drops rows without a label, splits with <paramref name="seed"/> (stratified for classes, random for
    /// values), keeps the first <paramref name="limit"/> training rows when given, then fits the pipeline on the training
    /// rows — or uses <paramref name="fitted"/>, the pipeline a model was trained with, so its inputs are built as in training.
    /// </summary>
    /// <exception cref="ArgumentException">No such label column, or a bad test fraction.</exception>
    public static TabularData Load(string path, string label, bool regression, double test, int seed, int? limit = null, PreprocessingPipeline? fitted = null)
    {
        if (!(test is > 0 and < 1))
            throw new ArgumentException($"--test-fraction must be between 0 and 1 (exclusive), e.g. 0.2; received {test.ToString(CultureInfo.InvariantCulture)}.");
        var table = TabularReader.Read(path);
        if (!table.Columns.Contains(label))
            throw new ArgumentException($"--label '{label}' is not a column of '{path}'. Its columns are: {string.Join(", ", table.Columns)}. Pass the label column with --label.");
        var index = table.IndexOf(label);
        var labelled = Enumerable.Range(0, table.Count).Where(i => !table.Inference.IsMissing(table.Rows[i][index])).ToArray();
        var unlabelled = table.Count - labelled.Length;
        table = table.Select(labelled);
        if (table.Count < 2)
            throw new ArgumentException($"'{path}' has {table.Count} labelled row(s) in column '{label}'; training and testing need at least 2.");
        var split = regression
            ? DataSplits.Random(table.Count, 0, test, seed)
            : DataSplits.Stratified(table, label, 0, test, seed);
        IReadOnlyList<int> trainRows = limit is { } n && n < split.Train.Count ? split.Train.Take(n).ToArray() : split.Train;
        var (train, testTable) = (table.Select(trainRows), table.Select(split.Test));
        if (testTable.Count == 0)
            throw new ArgumentException($"The test fraction {test.ToString(CultureInfo.InvariantCulture)} of {table.Count} rows leaves no test row; raise --test-fraction or add rows.");
        var pipeline = fitted ?? PreprocessingPipeline.Fit(train, new PreprocessingOptions
        {
            LabelColumn = label,
            LabelKind = regression ? LabelKind.Value : LabelKind.ClassIndex,
        });
        var source = ContentHash.OfFile(path);
        var recipe = new TrainingDataSplit(Path.GetFileName(path), source, label, 0, test, seed, !regression);
        using var pipelineJson = JsonDocument.Parse(pipeline.ToJson());
        var manifest = new DatasetManifest
        {
            Name = Path.GetFileName(path),
            SourceSha256 = source,
            Schema = table.Schema,
            LabelColumn = label,
            Counts = new Dictionary<string, int> { ["train"] = train.Count, ["test"] = testTable.Count },
            ClassBalance = regression ? new Dictionary<string, IReadOnlyDictionary<string, int>>() : new Dictionary<string, IReadOnlyDictionary<string, int>>
            {
                ["train"] = Balance(train, label),
                ["test"] = Balance(testTable, label),
            },
            SplitSeeds = new Dictionary<string, long> { ["split"] = seed },
            Pipeline = pipelineJson.RootElement.Clone(),
            Notes = new Dictionary<string, string>
            {
                ["unlabelledRemoved"] = unlabelled.ToString(CultureInfo.InvariantCulture),
                ["testFraction"] = test.ToString(CultureInfo.InvariantCulture),
                ["trainLimit"] = limit?.ToString(CultureInfo.InvariantCulture) ?? "all",
            },
        };
        return new TabularData(train, testTable, pipeline, recipe, manifest);
    }

    /// <summary>
    /// A dataset folder written by <c>modelloop data prepare</c>: its manifest (hash checked, every file checked against it),
    /// train.csv and test.csv, and its pipeline.json — or <paramref name="fitted"/>, a trained model's pipeline. The
    /// manifest's hash is the dataset version; the split is the one the folder already holds.
    /// </summary>
    /// <exception cref="InvalidDataException">The manifest was edited, a file differs from it, or it was prepared without a label.</exception>
    public static TabularData LoadPrepared(string folder, int? limit = null, PreprocessingPipeline? fitted = null)
    {
        var manifest = DatasetManifest.Load(Path.Combine(folder, "manifest.json"));
        var changed = manifest.Verify(folder);
        if (changed.Count > 0)
            throw new InvalidDataException($"Dataset folder '{folder}' no longer matches its manifest: {string.Join(", ", changed)} missing or changed. Prepare it again with `modelloop data prepare`.");
        var label = manifest.LabelColumn
            ?? throw new InvalidDataException($"Dataset folder '{folder}' was prepared without a label column; training needs one. Prepare it again with `modelloop data prepare FILE --label COLUMN`.");
        var pipeline = fitted ?? PreprocessingPipeline.FromJson(File.ReadAllText(Path.Combine(folder, "pipeline.json")));
        var train = TabularReader.Read(Path.Combine(folder, "train.csv"));
        if (limit is { } n && n < train.Count)
            train = train.Select(Enumerable.Range(0, n).ToArray());
        var test = TabularReader.Read(Path.Combine(folder, "test.csv"));
        var total = (double)manifest.Counts.Values.Sum();
        double Share(string part) => total > 0 && manifest.Counts.TryGetValue(part, out var count) ? count / total : 0;
        var split = new TrainingDataSplit(manifest.Name, manifest.SourceSha256, label, Share("validation"), Share("test"),
            (int)manifest.SplitSeeds.GetValueOrDefault("split"), manifest.ClassBalance.Count > 0);
        return new TabularData(train, test, pipeline, split, manifest);
    }

    /// <summary>Training and test tensors made by the pipeline (the caller disposes them).</summary>
    public (TensorDataset Train, TensorDataset Test) ToDatasets()
    {
        var train = Pipeline.ToDataset(Train);
        try
        {
            return (train, Pipeline.ToDataset(Test));
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    private static IReadOnlyDictionary<string, int> Balance(RawTable table, string label) =>
        new SortedDictionary<string, int>(table.Column(label).GroupBy(c => c!.Trim()).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);
}
