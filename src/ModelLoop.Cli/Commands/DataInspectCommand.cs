using System.CommandLine;
using System.Globalization;
using ModelLoop.Data;
using ModelLoop.Data.Inspection;
using ModelLoop.Data.Readers;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop data inspect PATH</c>: for a CSV/TSV table the inferred schema and per-column statistics; for images
/// (a folder of IDX files, a CIFAR .bin batch, or a class-per-sub-folder image tree) pixel statistics per channel;
/// then the class balance, and a class-balance and a feature-distribution PNG in --out.
/// </summary>
internal static class DataInspectCommand
{
    public static Command Create()
    {
        var fileArgument = new Argument<string>("path") { Description = "A CSV/TSV file with a header row, a folder of MNIST-family IDX files, a CIFAR-10 .bin batch, or an image folder (one sub-folder per class)." };
        var sizeOption = new Option<int>("--size") { Description = "Image folders: images are resized to size×size. Defaults to 32.", DefaultValueFactory = _ => 32 };
        var labelOption = new Option<string?>("--label") { Description = "Label column: its class balance is printed and plotted. Defaults to none." };
        var outOption = new Option<string>("--out", "-o") { Description = "Folder for class_balance.png and feature_distributions.png. Defaults to <name>.inspect in the current folder." };
        var command = new Command("inspect", "Print a table's schema and statistics and plot its class balance and feature distributions.")
        {
            fileArgument, labelOption, outOption, sizeOption,
        };
        command.SetAction(result =>
        {
            var file = result.GetValue(fileArgument)!;
            var label = result.GetValue(labelOption);
            var outFolder = result.GetValue(outOption) ?? Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(file)) + ".inspect";
            var summary = Directory.Exists(file) || file.EndsWith(".bin", StringComparison.OrdinalIgnoreCase)
                ? Images(file, result.GetValue(sizeOption))
                : DatasetSummary.Of(TabularReader.Read(file), label);
            label = summary.LabelColumn;
            Print(file, summary);
            var written = new List<string>();
            if (summary.ClassBalance.Count > 0)
            {
                var path = Path.Combine(outFolder, "class_balance.png");
                DatasetPlots.ClassBalance(summary, path);
                written.Add(path);
            }
            if (summary.Columns.Any(c => c.Mean is not null && c.Name != label))
            {
                var path = Path.Combine(outFolder, "feature_distributions.png");
                DatasetPlots.FeatureDistributions(summary, path);
                written.Add(path);
            }
            foreach (var path in written)
                AnsiConsole.MarkupLine($"Wrote [blue]{Markup.Escape(path)}[/]");
            return 0;
        });
        return command;
    }

    /// <summary>Loads an image dataset in whichever layout the path has, and summarizes it.</summary>
    private static DatasetSummary Images(string path, int size)
    {
        if (path.EndsWith(".bin", StringComparison.OrdinalIgnoreCase))
        {
            using var cifar = CifarReader.Read(path);
            return DatasetSummary.OfImages(cifar);
        }
        var idx = new[] { "train-images-idx3-ubyte", "train-images-idx3-ubyte.gz" }.Select(f => Path.Combine(path, f)).FirstOrDefault(File.Exists);
        if (idx is not null)
        {
            using var images = IdxReader.ReadTensor(idx);
            using var labels = IdxReader.ReadTensor(Path.Combine(path, Path.GetFileName(idx).Replace("images-idx3", "labels-idx1")));
            if (images.dim() != 3 || labels.dim() != 1 || images.shape[0] != labels.shape[0])
                throw new InvalidDataException($"'{idx}' and its labels file do not pair: images [{string.Join(", ", images.shape)}], labels [{string.Join(", ", labels.shape)}]; expected (N, H, W) images and N labels.");
            using var data = new TensorDataset(images.unsqueeze(1).to(TorchSharp.torch.ScalarType.Float32).div(255f), labels.to(TorchSharp.torch.ScalarType.Int64));
            var fashion = path.Contains("fashion", StringComparison.OrdinalIgnoreCase);
            return DatasetSummary.OfImages(data, fashion ? FashionMnist.ClassNames : null);
        }
        using var folder = ImageFolder.Load(path, size, size);
        return DatasetSummary.OfImages(folder.Data, folder.Classes);
    }

    private static void Print(string file, DatasetSummary summary)
    {
        var table = new Table().Title(FormattableString.Invariant($"{Markup.Escape(Path.GetFileName(file))}: {summary.Rows:N0} rows × {summary.Columns.Count} columns"))
            .AddColumns("column", "kind", "missing", "distinct", "min", "median", "mean", "max", "most frequent");
        foreach (var c in summary.Columns)
            table.AddRow(Markup.Escape(c.Name), c.Kind.ToString(), c.Missing.ToString("N0", CultureInfo.InvariantCulture), c.Distinct.ToString("N0", CultureInfo.InvariantCulture),
                Number(c.Min), Number(c.Median), Number(c.Mean), Number(c.Max),
                c.Top is null ? "" : Markup.Escape(FormattableString.Invariant($"{Shorten(c.Top)} ({c.TopCount:N0})")));
        AnsiConsole.Write(table);
        if (summary.ClassBalance.Count == 0)
            return;
        var balance = new Table().Title($"class balance of '{Markup.Escape(summary.LabelColumn!)}'").AddColumns("class", "rows", "share");
        foreach (var (name, count) in summary.ClassBalance)
            balance.AddRow(Markup.Escape(name), count.ToString("N0", CultureInfo.InvariantCulture), ((double)count / summary.Rows).ToString("P1", CultureInfo.InvariantCulture));
        AnsiConsole.Write(balance);
    }

    private static string Number(double? value) => value?.ToString("G5", CultureInfo.InvariantCulture) ?? "";

    private static string Shorten(string text) => text.Length > 24 ? text[..23] + "…" : text;
}
