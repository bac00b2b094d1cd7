using ModelLoop.Data.Readers;

namespace ModelLoop.Monitoring.Retraining;

/// <summary>
/// Cuts one labelled feedback source into a training part and a holdout of the most recent items, for a job given no
/// separate holdout: a table's last rows (exports are in time order), an image folder's last files of each class by
/// name. Deterministic, so a resumed job cuts the same way; the parts are written into the job's folder.
/// </summary>
internal static class FeedbackSplit
{
    /// <summary>Where <see cref="Split"/> writes the parts of <paramref name="source"/> in <paramref name="folder"/>.</summary>
    public static (string Train, string Holdout) Paths(string source, string folder) => IsTable(source)
        ? (Path.Combine(folder, "feedback-train.csv"), Path.Combine(folder, "feedback-holdout.csv"))
        : (Path.Combine(folder, "feedback-train"), Path.Combine(folder, "feedback-holdout"));

    /// <returns>The paths of the training part and of the holdout, inside <paramref name="folder"/>.</returns>
    public static (string Train, string Holdout) Split(string source, double holdoutFraction, string folder)
    {
        Directory.CreateDirectory(folder);
        var (train, test) = Paths(source, folder);
        if (IsTable(source))
        {
            if (!File.Exists(source))
                throw new FileNotFoundException($"The feedback file '{source}' does not exist. Export the labelled feedback first (`modelloop feedback export`).", source);
            var table = TabularReader.Read(source);
            var holdout = HoldoutCount(table.Count, holdoutFraction);
            table.Select(Enumerable.Range(0, table.Count - holdout).ToArray()).WriteCsv(train);
            table.Select(Enumerable.Range(table.Count - holdout, holdout).ToArray()).WriteCsv(test);
            return (train, test);
        }
        if (!Directory.Exists(source))
            throw new DirectoryNotFoundException($"The feedback '{source}' is neither a .csv/.tsv file nor a folder of class sub-folders. Export the labelled feedback first (`modelloop feedback export`).");
        foreach (var part in new[] { train, test })
            if (Directory.Exists(part))
                Directory.Delete(part, recursive: true);
        foreach (var classFolder in Directory.GetDirectories(source).Order(StringComparer.Ordinal))
        {
            var files = Directory.GetFiles(classFolder).Order(StringComparer.Ordinal).ToArray();
            var holdout = HoldoutCount(files.Length, holdoutFraction);
            var name = Path.GetFileName(classFolder);
            for (var i = 0; i < files.Length; i++)
            {
                var target = Path.Combine(i < files.Length - holdout ? train : test, name);
                Directory.CreateDirectory(target);
                File.Copy(files[i], Path.Combine(target, Path.GetFileName(files[i])), overwrite: true);
            }
        }
        return (train, test);
    }

    private static bool IsTable(string path) =>
        path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase);

    private static int HoldoutCount(int count, double fraction) => Math.Min(count, (int)Math.Ceiling(count * fraction));
}
