using System.Globalization;
using System.Text.Json;
using ModelLoop.Artifacts;
using ModelLoop.Data.Readers;
using ModelLoop.Data.Versioning;
using SkiaSharp;

namespace ModelLoop.Monitoring.Logging;

/// <summary>
/// Writes a model's labelled feedback (<see cref="PredictionLog.ReadLabelled"/>) as a dataset the data stage reads:
/// <code>
/// OUT/train.csv, OUT/holdout.csv          records and tensors: the raw columns (x0, x1… for tensors) + the label column
///                                         (the model's own, so retraining reads it; rows oldest first)
/// OUT/train/&lt;class&gt;/*.png, OUT/holdout/…   images: one sub-folder per class (ImageFolder reads it); files named
///                                         REQUESTID-ITEM.png, in time order by name (request ids are UUIDv7)
/// OUT/manifest.json                       DatasetManifest: files with SHA-256, counts and class balance per part,
///                                         the model, range and request count in its notes; its hash names the export
/// </code>
/// The newest <see cref="FeedbackExportOptions.HoldoutNewest"/> of the items go to the holdout part. Only items whose
/// input the log kept (input storage Raw or Anonymized records) can be exported; the others are counted. The folder is
/// written under a temporary name and renamed when complete, so a crash never leaves half an export.
/// </summary>
public static class FeedbackExporter
{
    /// <exception cref="ArgumentException">An option is out of range, or the output folder exists and is not empty.</exception>
    /// <exception cref="InvalidOperationException">No model given and the log holds several or none; or nothing to export.</exception>
    public static FeedbackExportResult Export(PredictionLog log, FeedbackExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.HoldoutNewest is >= 0 and < 1))
            throw new ArgumentException($"The holdout fraction is {options.HoldoutNewest}; expected a fraction 0 ≤ f < 1 of the newest labelled items (e.g. 0.2), or 0 for no holdout.", nameof(options));
        if (Directory.Exists(options.Output) && Directory.EnumerateFileSystemEntries(options.Output).Any())
            throw new ArgumentException($"The output folder '{options.Output}' exists and is not empty; choose a new folder (each export is one dataset version).", nameof(options));
        var model = options.Model ?? OnlyModel(log);
        var labelled = log.ReadLabelled(model, options.Since, options.Until);
        var info = labelled.Count == 0 ? null : log.Info(model, labelled[^1].Prediction.Version);
        var withInput = labelled.Where(l => l.Item.InputJson is not null || l.Item.InputValues is not null).ToList();
        if (info is null || withInput.Count == 0)
            throw new InvalidOperationException($"The log has {labelled.Count} labelled items of model '{model}' in this range, {withInput.Count} of them with their input kept; nothing to export. Feedback needs labels (\"label\", or \"correct\": true for a classifier), and the input must be kept: serve with --log-inputs raw (or anonymized, for records).");
        var format = withInput[0].Prediction.Format;
        var items = withInput.Where(l => Part(l.Prediction.Format) == Part(format)).ToList();
        var labelColumn = options.LabelColumn ?? info.LabelColumn ?? "label";
        var holdoutCount = (int)Math.Ceiling(items.Count * options.HoldoutNewest);
        var train = items.Take(items.Count - holdoutCount).ToList();
        var holdout = items.Skip(items.Count - holdoutCount).ToList();

        var output = Path.GetFullPath(options.Output);
        var staging = output.TrimEnd(Path.DirectorySeparatorChar) + ".partial-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(staging);
        try
        {
            var images = format == InputFormat.Image;
            var parts = new List<(string Name, List<LabelledItem> Items)> { ("train", train) };
            if (holdoutCount > 0)
                parts.Add(("holdout", holdout));
            foreach (var (name, part) in parts)
            {
                if (images)
                    WriteImages(Path.Combine(staging, name), part, info);
                else
                    WriteTable(Path.Combine(staging, name + ".csv"), part, info, labelColumn);
            }
            var files = Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(staging, f).Replace('\\', '/')).Order(StringComparer.Ordinal)
                .Select(f => new ManifestFile(f, new FileInfo(Path.Combine(staging, f)).Length, ContentHash.OfFile(Path.Combine(staging, f)))).ToArray();
            var manifest = new DatasetManifest
            {
                Name = $"feedback-{model}",
                SourceSha256 = ContentHash.OfDirectory(staging),
                LabelColumn = images ? null : labelColumn,
                Counts = parts.ToDictionary(p => p.Name, p => p.Items.Count),
                ClassBalance = info.Task == ModelTask.Classification
                    ? parts.ToDictionary(p => p.Name, p => (IReadOnlyDictionary<string, int>)p.Items.GroupBy(i => info.Label(i.TrueClass!.Value)).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()))
                    : new Dictionary<string, IReadOnlyDictionary<string, int>>(),
                Files = files,
                Notes = new Dictionary<string, string>
                {
                    ["source"] = "prediction log feedback",
                    ["model"] = model,
                    ["versions"] = string.Join(",", items.Select(i => i.Prediction.Version).Distinct().Order(StringComparer.Ordinal)),
                    ["since"] = options.Since?.ToString("O", CultureInfo.InvariantCulture) ?? "",
                    ["until"] = options.Until?.ToString("O", CultureInfo.InvariantCulture) ?? "",
                    ["holdoutNewest"] = options.HoldoutNewest.ToString(CultureInfo.InvariantCulture),
                    ["requests"] = items.Select(i => i.Prediction.RequestId).Distinct().Count().ToString(CultureInfo.InvariantCulture),
                    ["newestItemUtc"] = items[^1].Prediction.TimeUtc.ToString("O", CultureInfo.InvariantCulture),
                    ["skippedWithoutInput"] = (labelled.Count - withInput.Count).ToString(CultureInfo.InvariantCulture),
                },
            };
            manifest.Save(Path.Combine(staging, "manifest.json"));
            if (Directory.Exists(output))
                Directory.Delete(output); // empty, checked above
            Directory.Move(staging, output);
            return new FeedbackExportResult(output, Path.Combine(output, "manifest.json"), manifest, format,
                Path.Combine(output, images ? "train" : "train.csv"), holdoutCount > 0 ? Path.Combine(output, images ? "holdout" : "holdout.csv") : null,
                train.Count, holdout.Count, labelled.Count - withInput.Count, withInput.Count - items.Count);
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    private static string OnlyModel(PredictionLog log)
    {
        var models = log.Models();
        return models.Count == 1 ? models[0]
            : throw new InvalidOperationException(models.Count == 0
                ? $"The prediction log '{log.Path}' holds no predictions; serve with --log-predictions and send feedback first."
                : $"The prediction log holds several models ({string.Join(", ", models)}); name one with --model.");
    }

    // Records and tensors both become tables; images image folders.
    private static bool Part(InputFormat format) => format == InputFormat.Image;

    private static void WriteTable(string path, List<LabelledItem> items, LoggedModelInfo info, string labelColumn)
    {
        var records = items.Select(i => Cells(i)).ToList();
        var columns = records.SelectMany(r => r.Keys).Distinct().ToList();
        var labels = info.Task == ModelTask.Classification || info.OutputWidth == 1
            ? [labelColumn]
            : Enumerable.Range(0, info.OutputWidth).Select(o => info.OutputNames?[o] ?? $"{labelColumn}{o}").ToArray();
        var clash = labels.FirstOrDefault(columns.Contains);
        if (clash is not null)
            throw new ArgumentException($"The inputs have a column '{clash}', the name of the label column; choose another label column name.");
        var rows = items.Select((item, r) =>
        {
            var label = info.Task == ModelTask.Classification
                ? [info.Label(item.TrueClass!.Value)]
                : item.TrueValues!.Select(v => (string?)v.ToString("R", CultureInfo.InvariantCulture));
            return columns.Select(c => records[r].GetValueOrDefault(c)).Concat(label).ToArray();
        }).ToArray();
        new RawTable([.. columns, .. labels], rows).WriteCsv(path);
    }

    // A record's columns as text (strings as they are, numbers as written, null as missing); a tensor's as x0, x1….
    private static Dictionary<string, string?> Cells(LabelledItem item)
    {
        if (item.Item.InputJson is { } json)
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => p.Value.GetString(),
                _ => p.Value.GetRawText(),
            });
        }
        return item.Item.InputValues!.Select((v, i) => (Name: "x" + i.ToString(CultureInfo.InvariantCulture), Value: (string?)v.ToString("R", CultureInfo.InvariantCulture)))
            .ToDictionary(c => c.Name, c => c.Value);
    }

    private static void WriteImages(string folder, List<LabelledItem> items, LoggedModelInfo info)
    {
        Directory.CreateDirectory(folder);
        foreach (var item in items)
        {
            var shape = item.Prediction.ItemShape;
            if (shape.Count != 3 || shape[0] is not (1 or 3))
                throw new InvalidDataException($"Request '{item.Prediction.RequestId}' logged images of shape ({string.Join(", ", shape)}); only (1 or 3 channels, height, width) can be written as PNG.");
            var classFolder = Path.Combine(folder, SafeName(info.Label(item.TrueClass!.Value)));
            Directory.CreateDirectory(classFolder);
            File.WriteAllBytes(Path.Combine(classFolder, $"{item.Prediction.RequestId}-{item.Item.Index}.png"), Png(item.Item.InputValues!, (int)shape[0], (int)shape[1], (int)shape[2]));
        }
    }

    // Channels-first values in [0, 1] → an RGBA PNG (grey copied to R, G and B, so ImageFolder reads it back as it was).
    private static byte[] Png(float[] values, int channels, int height, int width)
    {
        var plane = height * width;
        var rgba = new byte[plane * 4];
        static byte Byte(float v) => (byte)Math.Clamp(MathF.Round(v * 255f), 0, 255);
        for (var p = 0; p < plane; p++)
        {
            for (var c = 0; c < 3; c++)
                rgba[4 * p + c] = Byte(values[(channels == 1 ? 0 : c) * plane + p]);
            rgba[4 * p + 3] = 255;
        }
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    // Class names become folder names: characters a file system refuses (and '.', '..') are replaced.
    private static string SafeName(string label)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var name = new string(label.Select(c => invalid.Contains(c) || c == '\\' ? '_' : c).ToArray());
        return name is "" or "." or ".." ? "_" + name : name;
    }
}
