using System.Globalization;
using ModelLoop.Data;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;
using ModelLoop.Data.Versioning;
using ModelLoop.Modeling;
using static TorchSharp.torch;

namespace ModelLoop.Loop;

/// <summary>
/// Reads labelled sources that come in beside a run's own data — feedback exports added to training
/// (<see cref="DataConfig.ExtraTrain"/>) or held out to compare models (<see cref="DataSource.LoadLabelled"/>) — in
/// the terms of an existing pipeline: a table keeps the pipeline's columns, an image folder is read at the model's
/// image size with its sub-folders mapped onto the model's classes.
/// </summary>
internal static class LabelledSources
{
    /// <summary>True for a .csv/.tsv path (a table), false for anything else (an image class folder).</summary>
    public static bool IsTable(string path) =>
        path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The labelled rows of a table file, with exactly <paramref name="columns"/> in that order: the pipeline's input
    /// columns and the label must be there; other columns of <paramref name="columns"/> absent from the file become
    /// missing cells; columns the file has beyond them are dropped; rows without a label are dropped.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="ArgumentException">An input column or the label column is absent; the message lists what the file has.</exception>
    public static RawTable ReadTable(string path, IReadOnlyList<string> columns, PreprocessingPipeline pipeline, string label, string what)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{what} '{path}' does not exist. Pass an existing .csv/.tsv file with the model's input columns and a '{label}' column.", path);
        var table = TabularReader.Read(path);
        var required = pipeline.Columns.Select(c => c.Name).Append(label).ToArray();
        var absent = required.Where(c => !table.Columns.Contains(c)).ToArray();
        if (absent.Length > 0)
            throw new ArgumentException($"{what} '{path}' lacks column(s) {string.Join(", ", absent)}; it has {string.Join(", ", table.Columns)}. It needs the model's input columns ({string.Join(", ", required[..^1])}) and the label '{label}'.");
        var positions = columns.Select(c => table.Columns.Contains(c) ? table.IndexOf(c) : -1).ToArray();
        var labelAt = table.IndexOf(label);
        var rows = table.Rows.Where(r => !string.IsNullOrWhiteSpace(r[labelAt]))
            .Select(r => positions.Select(p => p < 0 ? null : r[p]).ToArray()).ToArray();
        return new RawTable(columns, rows, table.Inference);
    }

    /// <summary>
    /// An image folder (one sub-folder per class) as float32 (N, C, H, W) in [0, 1] — the scaling of the IDX reader —
    /// with int64 labels in <paramref name="classNames"/>' order. A sub-folder names its class exactly, with characters a
    /// folder name cannot hold replaced by '_' (T-shirt/top → T-shirt_top), or by the class index ("0").
    /// </summary>
    /// <exception cref="ArgumentException">A sub-folder that names no class; the message lists the accepted names.</exception>
    public static TensorDataset ReadImages(string folder, IReadOnlyList<string> classNames, Shape sampleShape, string what)
    {
        if (sampleShape.Rank != 3 || sampleShape[0] is not (1 or 3))
            throw new ArgumentException($"{what} '{folder}' is an image folder, but the model takes samples of shape {sampleShape}, not images (1 or 3, H, W). Pass a .csv/.tsv file.");
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"{what} '{folder}' does not exist. Pass a folder with one sub-folder per class of images, or a .csv/.tsv file.");
        using var images = ImageFolder.Load(folder, (int)sampleShape[1], (int)sampleShape[2], grayscale: sampleShape[0] == 1);
        var mapping = images.Classes.Select(name => ClassIndex(name, classNames)
            ?? throw new ArgumentException($"{what} '{folder}' has a sub-folder '{name}', which names none of the model's classes: {string.Join(", ", classNames.Select(FolderName))} (or their indices 0–{classNames.Count - 1}). Rename or remove it.")).ToArray();
        using var map = tensor(mapping.Select(i => (long)i).ToArray());
        return new TensorDataset(images.Data.Features.clone(), map.index_select(0, images.Data.Labels));
    }

    /// <summary>The folder name a class is written under: the name with characters a file name cannot hold replaced by '_'.</summary>
    public static string FolderName(string className)
    {
        var invalid = Path.GetInvalidFileNameChars();
        return new string(className.Select(c => invalid.Contains(c) ? '_' : c).ToArray());
    }

    /// <summary>"name sha256=… rows=N" for each source, for the dataset manifest.</summary>
    public static string Describe(string path, long rows) =>
        string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(path))} sha256={ContentHash.OfPath(path)} rows={rows}");

    private static int? ClassIndex(string folderName, IReadOnlyList<string> classNames)
    {
        for (var i = 0; i < classNames.Count; i++)
            if (classNames[i] == folderName || FolderName(classNames[i]) == folderName)
                return i;
        return int.TryParse(folderName, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < classNames.Count ? index : null;
    }
}
