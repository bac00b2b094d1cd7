using ModelLoop.Data;

namespace ModelLoop.Cli.Commands;

/// <summary>Turns the --data argument into training and test sets.</summary>
internal static class DatasetSource
{
    /// <param name="data">"fashion-mnist", a folder of Fashion-MNIST IDX files, or a numeric .csv file.</param>
    /// <param name="label">Label column of a CSV file.</param>
    /// <param name="loss">The loss name, which says whether CSV labels are class indices or values.</param>
    /// <param name="limit">Keep only the first N training samples.</param>
    /// <param name="seed">Seed of the 80/20 split of a CSV file.</param>
    public static (TensorDataset Train, TensorDataset Test) Load(string data, string label, string loss, int? limit, long seed)
    {
        var (train, test, _) = LoadWithPreprocessing(data, label, loss, limit, seed);
        return (train, test);
    }

    /// <summary>
    /// As <see cref="Load"/>, plus for CSV data what serving needs to take raw rows: the feature names and the
    /// standardization fitted on the training split (null for image data, which needs none).
    /// </summary>
    public static (TensorDataset Train, TensorDataset Test, Serving.Catalog.ServingManifest? Preprocessing) LoadWithPreprocessing(string data, string label, string loss, int? limit, long seed)
    {
        if (data.Equals("fashion-mnist", StringComparison.OrdinalIgnoreCase))
            data = FashionMnist.DefaultDirectory;
        if (Directory.Exists(data) || data == FashionMnist.DefaultDirectory)
        {
            FashionMnistInstaller.Ensure(data);
            var (train, test) = FashionMnist.Load(data, trainLimit: limit);
            return (train, test, null);
        }
        if (data.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            return LoadCsv(data, label, loss, limit, seed);
        throw new ArgumentException($"--data '{data}' is neither 'fashion-mnist', a folder of Fashion-MNIST IDX files, nor a .csv file.");
    }

    private static (TensorDataset Train, TensorDataset Test, Serving.Catalog.ServingManifest Preprocessing) LoadCsv(string path, string label, string loss, int? limit, long seed)
    {
        var regression = Training.Loss.Parse(loss) == Training.Loss.MeanSquaredError();
        using var all = CsvTable.Load(path, label, regression ? LabelKind.Value : LabelKind.ClassIndex);
        var (train, test) = all.Split(0.8, seed);
        var (means, stds) = CsvTable.Standardize(train, test);
        var names = File.ReadLines(path).First().Split(',').Select(c => c.Trim().Trim('"')).Where(c => c != label.Trim()).ToArray();
        var preprocessing = new Serving.Catalog.ServingManifest { FeatureNames = names, Mean = means, Std = stds };
        if (limit is { } n && n < train.Count)
        {
            var limited = train.Slice(0, n);
            train.Dispose();
            train = limited;
        }
        return (train, test, preprocessing);
    }
}
