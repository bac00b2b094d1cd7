using System.CommandLine;
using System.Globalization;
using ModelLoop.Language.Adapters;
using ModelLoop.Language.Training;
using ModelLoop.Loop;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop lm finetune [BASE] [--config lora.yaml] [--corpus PATH] [--categories a,b] [--format fortunes|text]
/// [--lora-rank R] [--lora-alpha A] [--lora-dropout D] [--targets a,b] [--max-iters N] [--eval-interval N] [--batch-size N]
/// [--lr R] [--out DIR] [--checkpoint FILE] [--register NAME [--alias A]…] [--home DIR] [--no-track] [--threads N] [--seed N]</c>:
/// a LoRA fine-tune as a training run (<see cref="LoraFineTuning.Run"/>): a config with language.lora, or
/// <see cref="LoraFineTuning.Config"/> for BASE and --corpus; the flags given override it. The run folder is the merged
/// model's package (what --register registers), with the adapters alone in adapter/.
/// </summary>
internal static class LmFinetuneCommand
{
    public static Command Create()
    {
        var defaults = LoraFineTuning.Config("BASE", "CORPUS");
        var adapterDefaults = new LoraOptions();
        var common = new CommonOptions();
        var tracking = new RunsTrackingOptions();
        var modelArgument = new Argument<string?>("base-model") { Description = "The language-model package or `lm train` run folder to fine-tune (language.lora.base). Defaults to the config's.", Arity = ArgumentArity.ZeroOrOne };
        var configOption = new Option<string?>("--config", "-c") { Description = "A training config with a language.lora section (see samples/LoraFineTune/startrek-lora.yaml). Defaults to none: LoraFineTuning.Config for BASE and --corpus." };
        var corpusOption = new Option<string?>("--corpus") { Description = "The text to fine-tune on (language.corpus): fortunes, or a fortunes or text file or folder. Defaults to the config's." };
        var categoriesOption = new Option<string?>("--categories") { Description = "Comma-separated fortune files of a fortunes folder (language.categories), e.g. startrek. Defaults to the config's (every file)." };
        var formatOption = new Option<string?>("--format") { Description = "fortunes ('%'-separated entries) or text (blank-line-separated documents). Defaults to the config's (fortunes)." };
        var rankOption = new Option<int?>("--lora-rank") { Description = $"The adapters' rank r. Defaults to the config's ({adapterDefaults.Rank})." };
        var alphaOption = new Option<double?>("--lora-alpha") { Description = $"α: updates are scaled by α / r. Defaults to the config's ({adapterDefaults.Alpha.ToString(CultureInfo.InvariantCulture)})." };
        var dropoutOption = new Option<double?>("--lora-dropout") { Description = $"Dropout on the adapters' input while training. Defaults to the config's ({adapterDefaults.Dropout.ToString(CultureInfo.InvariantCulture)})." };
        var targetsOption = new Option<string?>("--targets") { Description = $"Comma-separated module patterns to adapt. Defaults to the config's ({string.Join(",", adapterDefaults.Targets)})." };
        var itersOption = new Option<int?>("--max-iters") { Description = $"Optimizer steps (language.maxIters). Defaults to the config's ({defaults.Language!.MaxIters})." };
        var intervalOption = new Option<int?>("--eval-interval") { Description = $"Steps between validations and checkpoints (language.evalInterval). Defaults to the config's ({defaults.Language.EvalInterval})." };
        var batchOption = new Option<int?>("--batch-size") { Description = $"Windows per step. Defaults to the config's ({defaults.BatchSize})." };
        var rateOption = new Option<double?>("--lr") { Description = $"AdamW's peak learning rate (warm-up, then cosine). Defaults to the config's ({defaults.Optimizer.LearningRate?.ToString(CultureInfo.InvariantCulture)})." };
        var outOption = new Option<string>("--out", "-o") { Description = "Run folder: artifact/ (the merged model), tokenizer/, adapter/ (the adapters alone), config.json, history.csv, summary.json. Defaults to runs/lora.", DefaultValueFactory = _ => Path.Combine("runs", "lora") };
        var checkpointOption = new Option<string?>("--checkpoint") { Description = "Checkpoint file, written every eval interval; a killed fine-tune started again with the same file resumes exactly. Defaults to none." };
        var command = new Command("finetune", "Fine-tune a language model with LoRA adapters (the base stays frozen) as a tracked, checkpointed training run; the run folder holds the merged model and the adapters alone.")
        {
            modelArgument, configOption, corpusOption, categoriesOption, formatOption, rankOption, alphaOption, dropoutOption, targetsOption,
            itersOption, intervalOption, batchOption, rateOption, outOption, checkpointOption,
        };
        common.AddTo(command);
        tracking.AddTo(command);
        command.SetAction(result =>
        {
            var baseModel = result.GetValue(modelArgument);
            var corpus = result.GetValue(corpusOption);
            TrainingConfig config;
            if (result.GetValue(configOption) is { } path)
                config = TrainingConfig.Load(path);
            else if (baseModel is not null && corpus is not null)
                config = LoraFineTuning.Config(baseModel, corpus);
            else
                throw new ArgumentException("lm finetune needs --config FILE (with a language.lora section), or BASE and --corpus PATH, e.g. `modelloop lm finetune runs/lm --corpus /usr/share/games/fortunes/startrek`.");
            var language = config.Language ?? new LanguageConfig();
            var lora = language.Lora ?? new LoraConfig();
            static string[]? List(string? text) => text?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            config = config with
            {
                Language = language with
                {
                    Corpus = corpus ?? language.Corpus,
                    Categories = List(result.GetValue(categoriesOption)) ?? language.Categories,
                    Format = result.GetValue(formatOption) ?? language.Format,
                    MaxIters = result.GetValue(itersOption) ?? language.MaxIters,
                    EvalInterval = result.GetValue(intervalOption) ?? language.EvalInterval,
                    Lora = lora with
                    {
                        Base = baseModel ?? lora.Base,
                        Rank = result.GetValue(rankOption) ?? lora.Rank,
                        Alpha = result.GetValue(alphaOption) ?? lora.Alpha,
                        Dropout = result.GetValue(dropoutOption) ?? lora.Dropout,
                        Targets = List(result.GetValue(targetsOption)) ?? lora.Targets,
                    },
                },
                BatchSize = result.GetValue(batchOption) ?? config.BatchSize,
                Optimizer = result.GetValue(rateOption) is { } rate ? config.Optimizer with { LearningRate = rate } : config.Optimizer,
                Precision = result.GetValue(common.Precision) ?? config.Precision,
                Seed = result.GetValue(common.Seed) ?? config.Seed,
            };
            var options = LmTrainCommand.JobOptions(result, config, common, tracking, outOption, checkpointOption, "lm finetune");
            Print(LoraFineTuning.Run(config, options));
            return 0;
        });
        return command;
    }

    private static void Print(LanguageModelTrainingResult outcome)
    {
        var run = outcome.Training;
        var lora = outcome.Lora!;
        string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Result").AddColumn(new TableColumn("Value").RightAligned());
        table.AddRow("documents", string.Create(CultureInfo.InvariantCulture, $"{outcome.TrainDocuments:N0} train, {outcome.ValidationDocuments:N0} validation, {outcome.TestDocuments:N0} test"));
        if (!double.IsNaN(lora.BaseValidationLoss))
            table.AddRow("validation loss", $"base {F(lora.BaseValidationLoss)} → fine-tuned {F(lora.ValidationLoss)}");
        table.AddRow("test loss", $"base {F(lora.BaseTestLoss)} → fine-tuned {F(lora.TestLoss)}");
        table.AddRow("adapter parameters", string.Create(CultureInfo.InvariantCulture, $"{lora.AdapterParameters:N0} of the base's {lora.BaseParameters:N0} ({lora.ParameterRatio:P2})"));
        table.AddRow("adapter size", string.Create(CultureInfo.InvariantCulture, $"{lora.AdapterBytes:N0} bytes, {lora.SizeRatio:P2} of the base's weights ({lora.BaseBytes:N0} bytes)"));
        table.AddRow("training time", FormattableString.Invariant($"{run.Seconds:F1} s"));
        table.AddRow("package (merged)", Markup.Escape(Path.GetFullPath(outcome.PackageDirectory)));
        table.AddRow("adapter", Markup.Escape(lora.AdapterDirectory));
        if (run.RunId is not null)
            table.AddRow("run", Markup.Escape(run.RunId));
        if (run.Registered is { } version)
            table.AddRow("registered", Markup.Escape($"{version.Name} v{version.Version}" + (version.Aliases.Count > 0 ? $" ({string.Join(", ", version.Aliases)})" : "")));
        AnsiConsole.Write(table);
    }
}
