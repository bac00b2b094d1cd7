using System.Text.Json;
using ModelLoop.Data.Anonymization;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;
using ModelLoop.Data.Splits;
using ModelLoop.IO;

namespace ModelLoop.Data.Versioning;

/// <summary>
/// Raw table → versioned dataset folder: optional anonymization, duplicate and unlabelled-row removal, a seeded
/// split (group-aware, stratified for class labels, else random), a pipeline fitted on the training split only,
/// then train.csv, validation.csv, test.csv, pipeline.json (and anonymization.json) and last manifest.json, each
/// written atomically. The manifest is written last, so a folder with a manifest is complete.
/// </summary>
public static class DatasetPreparer
{
    /// <summary>Prepares the CSV/TSV file at <paramref name="source"/> into <paramref name="folder"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="FormatException">The file is malformed (see <see cref="TabularReader"/>).</exception>
    /// <exception cref="ArgumentException">A named column does not exist, or the fractions are invalid.</exception>
    public static PreparedDataset Prepare(string source, string folder, PrepareOptions? options = null)
    {
        var table = TabularReader.Read(source, inference: options?.Preprocessing.Inference);
        return Prepare(table, Path.GetFileName(source), ContentHash.OfFile(source), folder, options);
    }

    /// <summary>Prepares an in-memory table; <paramref name="sourceSha256"/> identifies its origin (e.g. <see cref="ContentHash.OfTable"/>).</summary>
    public static PreparedDataset Prepare(RawTable table, string name, string sourceSha256, string folder, PrepareOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        return Write(Split(table, name, sourceSha256, options), folder);
    }

    /// <summary>
    /// The in-memory half of <see cref="Prepare(RawTable, string, string, string, PrepareOptions?)"/>: anonymization,
    /// duplicate and unlabelled-row removal, the seeded split and the pipeline fitted on the training rows, with a
    /// manifest that lists no files. Training runs call this directly; <c>data prepare</c> then writes the folder.
    /// </summary>
    public static PreparedDataset Split(RawTable table, string name, string sourceSha256, PrepareOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        options ??= new PrepareOptions();
        var notes = new Dictionary<string, string> { ["rowsRead"] = table.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var column in new[] { options.LabelColumn, options.GroupColumn }.OfType<string>())
            table.IndexOf(column);

        AnonymizationReport? report = null;
        if (options.Anonymization is { } anonymization)
        {
            var keep = anonymization.KeepColumns.Concat(new[] { options.LabelColumn, options.GroupColumn }.OfType<string>()).Distinct().ToArray();
            (table, report) = new Anonymizer(anonymization with { KeepColumns = keep }).Anonymize(table);
            notes["piiFound"] = report.Total.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (options.RemoveDuplicates)
        {
            (table, var removed) = table.WithoutDuplicates();
            notes["duplicatesRemoved"] = removed.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        string[]? labels = null;
        if (options.LabelColumn is { } label)
        {
            var index = table.IndexOf(label);
            var labelled = Enumerable.Range(0, table.Count).Where(i => !table.Inference.IsMissing(table.Rows[i][index])).ToArray();
            notes["unlabelledRemoved"] = (table.Count - labelled.Length).ToString(System.Globalization.CultureInfo.InvariantCulture);
            table = table.Select(labelled);
            labels = table.Column(label).Select(c => c!.Trim()).ToArray();
        }

        var schema = table.Schema;
        var classification = labels is not null && (options.Preprocessing.LabelKind
            ?? (schema[options.LabelColumn!].Kind == ColumnKind.Numeric && schema[options.LabelColumn!].Distinct > 20 ? LabelKind.Value : LabelKind.ClassIndex)) == LabelKind.ClassIndex;
        var split = options.GroupColumn is { } group ? DataSplits.ByGroup(table.Column(group).Select(g => g ?? "").ToArray(), options.Validation, options.Test, options.Seed)
            : classification ? DataSplits.Stratified(labels!, options.Validation, options.Test, options.Seed)
            : DataSplits.Random(table.Count, options.Validation, options.Test, options.Seed);
        var (train, validation, test) = (table.Select(split.Train), table.Select(split.Validation), table.Select(split.Test));

        var preprocessing = options.Preprocessing with
        {
            LabelColumn = options.LabelColumn,
            IgnoreColumns = options.Preprocessing.IgnoreColumns.Concat(new[] { options.GroupColumn }.OfType<string>()).Distinct().ToArray(),
        };
        var pipeline = PreprocessingPipeline.Fit(train, preprocessing);

        using var pipelineDocument = JsonDocument.Parse(pipeline.ToJson());
        var manifest = new DatasetManifest
        {
            Name = name,
            SourceSha256 = sourceSha256,
            Schema = schema,
            LabelColumn = options.LabelColumn,
            Counts = new Dictionary<string, int> { ["train"] = train.Count, ["validation"] = validation.Count, ["test"] = test.Count },
            ClassBalance = classification
                ? new Dictionary<string, IReadOnlyDictionary<string, int>>
                {
                    ["train"] = Balance(labels!, split.Train),
                    ["validation"] = Balance(labels!, split.Validation),
                    ["test"] = Balance(labels!, split.Test),
                }
                : new Dictionary<string, IReadOnlyDictionary<string, int>>(),
            SplitSeeds = new Dictionary<string, long> { ["split"] = options.Seed },
            Pipeline = pipelineDocument.RootElement.Clone(),
            Notes = notes,
        };
        return new PreparedDataset(manifest, null, train, validation, test, pipeline, report);
    }

    /// <summary>
    /// Writes a split dataset to <paramref name="folder"/>: train.csv, validation.csv, test.csv, pipeline.json (and
    /// anonymization.json), each atomically, then manifest.json last (listing them), so a folder with a manifest is complete.
    /// </summary>
    public static PreparedDataset Write(PreparedDataset dataset, string folder)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var (train, validation, test, pipeline, report) = (dataset.Train, dataset.Validation, dataset.Test, dataset.Pipeline, dataset.Anonymization);
        Directory.CreateDirectory(folder);
        var files = new List<ManifestFile>();
        void Record(string file) =>
            files.Add(new ManifestFile(file, new FileInfo(Path.Combine(folder, file)).Length, ContentHash.OfFile(Path.Combine(folder, file))));
        foreach (var (file, part) in new[] { ("train.csv", train), ("validation.csv", validation), ("test.csv", test) })
        {
            part.WriteCsv(Path.Combine(folder, file));
            Record(file);
        }
        var pipelineJson = pipeline.ToJson();
        AtomicFile.WriteAllText(Path.Combine(folder, "pipeline.json"), pipelineJson);
        Record("pipeline.json");
        if (report is not null)
        {
            AtomicFile.WriteAllText(Path.Combine(folder, "anonymization.json"), report.ToJson());
            Record("anonymization.json");
        }

        var manifest = dataset.Manifest with { Files = files };
        manifest.Save(Path.Combine(folder, "manifest.json"));
        return dataset with { Manifest = manifest, Folder = folder };
    }

    private static IReadOnlyDictionary<string, int> Balance(string[] labels, IReadOnlyList<int> rows) =>
        new SortedDictionary<string, int>(rows.GroupBy(r => labels[r]).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);
}
