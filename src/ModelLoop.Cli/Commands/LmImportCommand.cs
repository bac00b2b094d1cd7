using System.CommandLine;
using ModelLoop.Language.Interop;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop lm import FILE.safetensors (--config config.json | --heads N) --tokenizer DIR --output DIR [--non-strict]</c>:
/// GPT-2-layout safetensors (Hugging Face names) into a language-model package, with a report of what did not fit.
/// </summary>
internal static class LmImportCommand
{
    public static Command Create()
    {
        var fileArgument = new Argument<string>("file") { Description = "A GPT-2-layout .safetensors file (wte, wpe, h.N.…, ln_f; optionally under transformer.)." };
        var configOption = new Option<string?>("--config") { Description = "Hugging Face's config.json with the sizes. Defaults to none: sizes are read from the tensors, with --heads." };
        var headsOption = new Option<int?>("--heads") { Description = "Attention heads, when there is no --config (the one size the tensors do not show). Defaults to none." };
        var tokenizerOption = new Option<string>("--tokenizer") { Description = "The tokenizer folder (vocab.json, and merges.txt for BPE) the weights were trained with.", Required = true };
        var outputOption = new Option<string>("--output", "-o") { Description = "Folder for the package (model/ and tokenizer/).", Required = true };
        var lenientOption = new Option<bool>("--non-strict") { Description = "Import even with missing, unexpected or mis-shaped tensors (missing ones keep their initial values). Defaults to false." };
        var command = new Command("import", "Import GPT-2-layout safetensors weights as a language-model package.") { fileArgument, configOption, headsOption, tokenizerOption, outputOption, lenientOption };
        command.SetAction(result =>
        {
            var config = result.GetValue(configOption) is { } path ? Gpt2Config.Load(path) : null;
            if (config is null && result.GetValue(headsOption) is null)
                throw new ArgumentException("lm import needs the model's sizes: pass --config config.json (Hugging Face's) or --heads N (the other sizes are read from the tensors).");
            var output = result.GetValue(outputOption)!;
            var report = Gpt2Packages.Import(result.GetValue(fileArgument)!, result.GetValue(tokenizerOption)!, output, config, result.GetValue(headsOption), strict: !result.GetValue(lenientOption));
            AnsiConsole.MarkupLine(Markup.Escape(report.ToString()));
            AnsiConsole.MarkupLine($"Wrote [blue]{Markup.Escape(output)}[/]");
            return report.IsComplete ? 0 : 2;
        });
        return command;
    }
}
