using System.CommandLine;
using ModelLoop.Language.Interop;
using Spectre.Console;
using static TorchSharp.torch;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop lm export MODEL --format safetensors [--dtype f32|f16|bf16] --output DIR</c>: a language-model package as a
/// Hugging Face GPT-2 folder (model.safetensors, config.json, vocab.json, merges.txt).
/// </summary>
internal static class LmExportCommand
{
    public static Command Create()
    {
        var modelArgument = new Argument<string>("model") { Description = "A language-model package folder (model/ and tokenizer/)." };
        var formatOption = new Option<string>("--format") { Description = "The export format; safetensors (GPT-2's layout) is the one there is. Defaults to safetensors.", DefaultValueFactory = _ => "safetensors" };
        var dtypeOption = new Option<string>("--dtype") { Description = "f32, f16 or bf16. Defaults to f32.", DefaultValueFactory = _ => "f32" };
        var outputOption = new Option<string>("--output", "-o") { Description = "Folder for model.safetensors, config.json and the tokenizer files.", Required = true };
        var command = new Command("export", "Export a language model as GPT-2-layout safetensors with Hugging Face's config.json.") { modelArgument, formatOption, dtypeOption, outputOption };
        command.SetAction(result =>
        {
            var format = result.GetValue(formatOption)!;
            if (!format.Equals("safetensors", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"--format must be safetensors; received '{format}'.");
            var dtype = result.GetValue(dtypeOption)!.ToLowerInvariant() switch
            {
                "f32" or "float32" => ScalarType.Float32,
                "f16" or "float16" => ScalarType.Float16,
                "bf16" or "bfloat16" => ScalarType.BFloat16,
                var other => throw new ArgumentException($"--dtype must be f32, f16 or bf16; received '{other}'."),
            };
            var output = result.GetValue(outputOption)!;
            var config = Gpt2Packages.Export(result.GetValue(modelArgument)!, output, dtype);
            AnsiConsole.MarkupLine($"Wrote [blue]{Markup.Escape(output)}[/]: {config.Layers} layers, {config.Heads} heads, width {config.Width}, vocabulary {config.VocabularySize}, context {config.BlockSize}.");
            return 0;
        });
        return command;
    }
}
