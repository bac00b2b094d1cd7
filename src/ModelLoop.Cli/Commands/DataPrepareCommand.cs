using System.CommandLine;
using System.Globalization;
using ModelLoop.Data.Anonymization;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Versioning;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop data prepare FILE --out DIR</c>: anonymize (optional), deduplicate, split with a seed, fit the
/// preprocessing pipeline on the training split, and write the splits, pipeline.json and manifest.json.
/// </summary>
internal static class DataPrepareCommand
{
    /// <summary>Environment variable holding the pseudonymization key (hex or base64), so it never appears in shell history.</summary>
    public const string KeyVariable = "MODELLOOP_PII_KEY";

    public static Command Create()
    {
        var fileArgument = new Argument<string>("file") { Description = "A CSV or TSV file with a header row (UTF-8)." };
        var outOption = new Option<string>("--out", "-o") { Description = "Dataset folder to write. Required.", Required = true };
        var labelOption = new Option<string?>("--label") { Description = "Label column; class labels make the split stratified. Defaults to none." };
        var groupOption = new Option<string?>("--group") { Description = "Group column: rows of one group stay in one split. Defaults to none." };
        var validationOption = new Option<double>("--validation") { Description = "Validation fraction. Defaults to 0.1.", DefaultValueFactory = _ => 0.1 };
        var testOption = new Option<double>("--test") { Description = "Test fraction. Defaults to 0.2.", DefaultValueFactory = _ => 0.2 };
        var seedOption = new Option<int>("--seed") { Description = "Split seed. Defaults to 42.", DefaultValueFactory = _ => 42 };
        var anonymizeOption = new Option<PiiAction?>("--anonymize") { Description = $"Mask, Drop or Pseudonymize personal data first (Pseudonymize reads its key from ${KeyVariable}). Defaults to none." };
        var scalingOption = new Option<Scaling>("--scaling") { Description = "Standard, MinMax or None. Defaults to Standard.", DefaultValueFactory = _ => Scaling.Standard };
        var imputationOption = new Option<Imputation>("--imputation") { Description = "Mean, Median, Mode or Constant (0). Defaults to Mean.", DefaultValueFactory = _ => Imputation.Mean };
        var outliersOption = new Option<OutlierHandling>("--outliers") { Description = "None, IqrClip or ZScoreClip. Defaults to None.", DefaultValueFactory = _ => OutlierHandling.None };
        var keepDuplicatesOption = new Option<bool>("--keep-duplicates") { Description = "Keep exact duplicate rows. Defaults to removing them." };
        var command = new Command("prepare", "Split a table into versioned train/validation/test files with a fitted preprocessing pipeline and a manifest.")
        {
            fileArgument, outOption, labelOption, groupOption, validationOption, testOption, seedOption, anonymizeOption,
            scalingOption, imputationOption, outliersOption, keepDuplicatesOption,
        };
        command.SetAction(result =>
        {
            var action = result.GetValue(anonymizeOption);
            var options = new PrepareOptions
            {
                LabelColumn = result.GetValue(labelOption),
                GroupColumn = result.GetValue(groupOption),
                Validation = result.GetValue(validationOption),
                Test = result.GetValue(testOption),
                Seed = result.GetValue(seedOption),
                RemoveDuplicates = !result.GetValue(keepDuplicatesOption),
                Anonymization = action is { } a ? new AnonymizationOptions { Action = a, Key = a == PiiAction.Pseudonymize ? ReadKey() : null } : null,
                Preprocessing = new PreprocessingOptions
                {
                    Scaling = result.GetValue(scalingOption),
                    Imputation = result.GetValue(imputationOption),
                    Outliers = result.GetValue(outliersOption),
                },
            };
            var prepared = DatasetPreparer.Prepare(result.GetValue(fileArgument)!, result.GetValue(outOption)!, options);
            Print(prepared);
            return 0;
        });
        return command;
    }

    private static byte[] ReadKey()
    {
        var text = Environment.GetEnvironmentVariable(KeyVariable);
        if (string.IsNullOrWhiteSpace(text))
            throw new ArgumentException($"--anonymize Pseudonymize needs a secret key in the environment variable {KeyVariable} (at least 16 bytes as hex or base64), e.g. `export {KeyVariable}=$(openssl rand -hex 32)`.");
        try
        {
            return text.Length % 2 == 0 && text.All(char.IsAsciiHexDigit) ? Convert.FromHexString(text) : Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new ArgumentException($"{KeyVariable} is neither hex nor base64; expected e.g. the output of `openssl rand -hex 32`.");
        }
    }

    private static void Print(PreparedDataset prepared)
    {
        var manifest = prepared.Manifest;
        var table = new Table().Title($"dataset {Markup.Escape(manifest.Name)} → {Markup.Escape(prepared.Folder ?? "")}").AddColumns("split", "rows", "classes");
        foreach (var (split, count) in manifest.Counts)
            table.AddRow(split, count.ToString("N0", CultureInfo.InvariantCulture),
                manifest.ClassBalance.TryGetValue(split, out var balance) ? Markup.Escape(string.Join(", ", balance.Select(b => $"{b.Key}: {b.Value}"))) : "");
        AnsiConsole.Write(table);
        foreach (var (note, value) in manifest.Notes)
            AnsiConsole.MarkupLine($"{Markup.Escape(note)}: {Markup.Escape(value)}");
        if (prepared.Anonymization is { } report)
            foreach (var finding in report.Findings)
                AnsiConsole.MarkupLine($"PII: {finding.Count} × {finding.Kind} in '{Markup.Escape(finding.Column ?? "")}' ({report.Action})");
        AnsiConsole.MarkupLine($"Pipeline: {prepared.Pipeline.FeatureCount} features from {prepared.Pipeline.Columns.Count} columns.");
        AnsiConsole.MarkupLine($"Dataset version (manifest hash): [bold]{manifest.Hash}[/]");
    }
}
