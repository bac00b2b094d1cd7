using System.CommandLine;
using ModelLoop.Language.Adapters;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary><c>modelloop lm merge BASE_MODEL ADAPTER --output DIR</c>: merges a LoRA adapter into its base's weights as a new package.</summary>
internal static class LmMergeCommand
{
    public static Command Create()
    {
        var modelArgument = new Argument<string>("base-model") { Description = "The base language-model package the adapter was trained on." };
        var adapterArgument = new Argument<string>("adapter") { Description = "The adapter folder: adapter/ in an lm finetune run folder." };
        var outputOption = new Option<string>("--output", "-o") { Description = "Folder for the merged package (model/ and tokenizer/).", Required = true };
        var command = new Command("merge", "Merge a LoRA adapter into its base model's weights, for serving at the base's cost per token.") { modelArgument, adapterArgument, outputOption };
        command.SetAction(result =>
        {
            var output = result.GetValue(outputOption)!;
            LoraWorkflow.Merge(result.GetValue(modelArgument)!, result.GetValue(adapterArgument)!, output);
            AnsiConsole.MarkupLine($"Merged the adapter; wrote [blue]{Markup.Escape(output)}[/]");
            return 0;
        });
        return command;
    }
}
