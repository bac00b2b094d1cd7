using System.CommandLine;
using System.Globalization;
using ModelLoop.Language.Training;
using ModelLoop.Loop;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop lm train --config lm.yaml [--max-iters N] [--out DIR] [--checkpoint FILE] [--register NAME] [--alias A]…
/// [--threads N] [--precision P] [--seed N]</c>: a <see cref="LanguageModelTraining"/> run of a config with a language
/// section; the run folder is a language-model package (<c>lm generate RUN</c>).
/// </summary>
internal static class LmTrainCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var tracking = new RunsTrackingOptions();
        var configOption = new Option<string>("--config", "-c") { Description = "A training config (.yaml/.json) with a language section: corpus, tokenizer, blockSize, layers, heads, width, maxIters, evalInterval, evalIters (see samples/LanguageModel/fortunes-char.yaml).", Required = true };
        var maxItersOption = new Option<int?>("--max-iters") { Description = "Optimizer steps in the run, overriding language.maxIters (validation comes every language.evalInterval steps, or at the end of a shorter run). Defaults to the config's." };
        var outOption = new Option<string>("--out", "-o") { Description = "Run folder: artifact/ (the model), tokenizer/, config.json, history.csv, summary.json, dataset.json. Defaults to runs/lm.", DefaultValueFactory = _ => Path.Combine("runs", "lm") };
        var checkpointOption = new Option<string?>("--checkpoint") { Description = "Checkpoint file, written every evalInterval steps; a killed run started again with the same file resumes exactly. Defaults to none." };
        var command = new Command("train", "Train a GPT language model on a text corpus through the trainer: tracked, checkpointed, registered like any model.")
        {
            configOption, maxItersOption, outOption, checkpointOption,
        };
        common.AddTo(command);
        tracking.AddTo(command);
        command.SetAction(result =>
        {
            var config = TrainingConfig.Load(result.GetValue(configOption)!);
            if (config.Language is null)
                throw new ArgumentException($"--config {result.GetValue(configOption)} has no language section; add one (corpus, tokenizer, blockSize, layers, heads, width, maxIters…) as samples/LanguageModel/fortunes-char.yaml does, or train it with `modelloop train`.");
            if (result.GetValue(maxItersOption) is { } maxIters)
                config = config with { Language = config.Language with { MaxIters = maxIters } };
            config = config with
            {
                Precision = result.GetValue(common.Precision) ?? config.Precision,
                Seed = result.GetValue(common.Seed) ?? config.Seed,
            };
            var options = JobOptions(result, config, common, tracking, outOption, checkpointOption, "lm train");
            Print(LanguageModelTraining.Run(config, options));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The job options `lm train` and `lm finetune` share: the config validated, the device applied, the run folder and
    /// checkpoint from their options, tracking, and progress on standard output.
    /// </summary>
    internal static TrainingJobOptions JobOptions(ParseResult result, TrainingConfig config, CommonOptions common, RunsTrackingOptions tracking,
        Option<string> outOption, Option<string?> checkpointOption, string commandName)
    {
        config.Validate();
        var device = common.Apply(result);
        return tracking.Apply(result, new TrainingJobOptions
        {
            OutputDirectory = result.GetValue(outOption)!,
            CheckpointPath = result.GetValue(checkpointOption),
            Device = device,
            Parameters = new Dictionary<string, string> { ["command"] = commandName },
            Log = text => Console.Out.WriteLine(text),
        });
    }

    private static void Print(LanguageModelTrainingResult outcome)
    {
        var run = outcome.Training;
        var last = run.History.Epochs.LastOrDefault();
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Result").AddColumn(new TableColumn("Value").RightAligned());
        foreach (var (key, value) in run.Test.Where(p => p.Key != "tokens_per_second"))
            table.AddRow($"test {key}", value.ToString("F4", CultureInfo.InvariantCulture));
        if (last is not null && last.TryGetValue("val_loss", out var validation))
            table.AddRow("last val loss", validation.ToString("F4", CultureInfo.InvariantCulture));
        if (last is not null && last.TryGetValue("tokens_per_second", out var speed))
            table.AddRow("train tokens/s (last interval)", speed.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("parameters", run.Parameters.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("vocabulary", outcome.VocabularySize.ToString(CultureInfo.InvariantCulture));
        table.AddRow("training time", FormattableString.Invariant($"{run.Seconds:F1} s"));
        table.AddRow("seed", run.History.Seed.ToString(CultureInfo.InvariantCulture));
        table.AddRow("package", Markup.Escape(Path.GetFullPath(outcome.PackageDirectory)));
        table.AddRow("dataset version", Markup.Escape(run.DatasetHash[..12]));
        if (run.RunId is not null)
            table.AddRow("run", Markup.Escape(run.RunId));
        if (run.Registered is { } version)
            table.AddRow("registered", Markup.Escape($"{version.Name} v{version.Version}" + (version.Aliases.Count > 0 ? $" ({string.Join(", ", version.Aliases)})" : "")));
        AnsiConsole.Write(table);
    }
}
