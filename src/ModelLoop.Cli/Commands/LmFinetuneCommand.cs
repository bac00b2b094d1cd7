using System.CommandLine;
using System.Globalization;
using ModelLoop.Language.Adapters;
using ModelLoop.Language.Corpora;
using ModelLoop.Training;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop lm finetune BASE_MODEL --corpus PATH [--lora-rank 8] [--lora-alpha 16] [--lora-dropout 0]
/// [--targets attn.c_attn,…] [--max-iters 200] [--batch-size 12] [--lr 1e-3] [--seed 1337] --output DIR</c>:
/// trains LoRA adapters on a language-model package (only the adapters train) and saves them alone.
/// </summary>
internal static class LmFinetuneCommand
{
    public static Command Create()
    {
        var defaults = new LoraFineTuningOptions();
        var modelArgument = new Argument<string>("base-model") { Description = "The base language-model package folder (model/ and tokenizer/)." };
        var corpusOption = new Option<string>("--corpus") { Description = $"The text to fine-tune on: a file or folder, e.g. {FortunesCorpus.DebianFolder}/science.", Required = true };
        var formatOption = new Option<CorpusFormat>("--format") { Description = "fortunes ('%'-separated entries) or text (blank-line-separated documents). Defaults to fortunes.", DefaultValueFactory = _ => CorpusFormat.Fortunes };
        var rankOption = new Option<int>("--lora-rank") { Description = $"The adapters' rank r. Defaults to {defaults.Lora.Rank}.", DefaultValueFactory = _ => defaults.Lora.Rank };
        var alphaOption = new Option<double>("--lora-alpha") { Description = $"α: updates are scaled by α / r. Defaults to {defaults.Lora.Alpha}.", DefaultValueFactory = _ => defaults.Lora.Alpha };
        var dropoutOption = new Option<double>("--lora-dropout") { Description = "Dropout on the adapters' input while training. Defaults to 0.", DefaultValueFactory = _ => 0.0 };
        var targetsOption = new Option<string>("--targets") { Description = $"Comma-separated module patterns to adapt. Defaults to {string.Join(",", LoraOptions.GptProjections)}.", DefaultValueFactory = _ => string.Join(",", LoraOptions.GptProjections) };
        var itersOption = new Option<int>("--max-iters") { Description = $"Optimizer steps. Defaults to {defaults.MaxIterations}.", DefaultValueFactory = _ => defaults.MaxIterations };
        var batchOption = new Option<int>("--batch-size") { Description = $"Windows per step. Defaults to {defaults.BatchSize}.", DefaultValueFactory = _ => defaults.BatchSize };
        var rateOption = new Option<double>("--lr") { Description = $"AdamW's peak learning rate (warmup, then cosine). Defaults to {defaults.LearningRate.ToString(CultureInfo.InvariantCulture)}.", DefaultValueFactory = _ => defaults.LearningRate };
        var validationOption = new Option<double>("--validation") { Description = "Share of the corpus's documents held out for the validation loss. Defaults to 0.1.", DefaultValueFactory = _ => 0.1 };
        var seedOption = new Option<long>("--seed") { Description = $"Seeds the split, the adapters' initialization and the windows. Defaults to {defaults.Seed}.", DefaultValueFactory = _ => defaults.Seed };
        var outputOption = new Option<string>("--output", "-o") { Description = "Folder for the adapter (adapter_config.json, adapter_model.safetensors).", Required = true };
        var command = new Command("finetune", "Fine-tune a language model with LoRA adapters (the base stays frozen) and save the adapters alone.")
        {
            modelArgument, corpusOption, formatOption, rankOption, alphaOption, dropoutOption, targetsOption, itersOption, batchOption, rateOption, validationOption, seedOption, outputOption,
        };
        command.SetAction(result =>
        {
            var options = new LoraFineTuningOptions
            {
                Lora = new LoraOptions
                {
                    Rank = result.GetValue(rankOption),
                    Alpha = result.GetValue(alphaOption),
                    Dropout = result.GetValue(dropoutOption),
                    Targets = [.. result.GetValue(targetsOption)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
                },
                MaxIterations = result.GetValue(itersOption),
                BatchSize = result.GetValue(batchOption),
                LearningRate = result.GetValue(rateOption),
                Seed = result.GetValue(seedOption),
                Progress = ProgressMode.Auto,
            };
            var documents = LanguageCorpus.Read(result.GetValue(corpusOption)!, result.GetValue(formatOption));
            var outcome = LoraWorkflow.FineTune(result.GetValue(modelArgument)!, documents, result.GetValue(outputOption)!, options, result.GetValue(validationOption));
            var table = new Table().AddColumns("", "value");
            table.AddRow("documents", string.Create(CultureInfo.InvariantCulture, $"{outcome.TrainDocuments:N0} train, {outcome.ValidationDocuments:N0} validation"));
            table.AddRow("validation loss", string.Create(CultureInfo.InvariantCulture, $"base {outcome.BaseValidationLoss:F4} → adapted {outcome.ValidationLoss:F4}"));
            table.AddRow("adapter parameters", string.Create(CultureInfo.InvariantCulture, $"{outcome.AdapterParameters:N0} of the base's {outcome.BaseParameters:N0} ({outcome.ParameterRatio:P2})"));
            table.AddRow("adapter size", string.Create(CultureInfo.InvariantCulture, $"{outcome.AdapterBytes:N0} bytes, {outcome.SizeRatio:P2} of the base's weights ({outcome.BaseBytes:N0} bytes)"));
            table.AddRow("saved", Markup.Escape(outcome.OutputDirectory));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
