using System.CommandLine;
using ModelLoop.Language.Evaluation;
using ModelLoop.Language.Generation;
using ModelLoop.Language.Packaging;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop lm generate MODEL "prompt" [--max-new-tokens N] [--temperature T] [--top-k K] [--top-p P]
/// [--repetition-penalty R] [--stop S]... [--seed N] [--home DIR]</c>: loads a language model — a package folder
/// (<see cref="LanguageModelPackage"/>: MODEL/model/ + MODEL/tokenizer/) or a registered NAME[:VERSION|ALIAS]
/// (<see cref="LanguageModelResolver"/>) — and streams the continuation to the terminal as it is generated.
/// </summary>
internal static class LmGenerateCommand
{
    private const int DefaultMaxNewTokens = 128;

    public static Command Create()
    {
        var modelArgument = new Argument<string>("model") { Description = "A language-model package folder (model/ + tokenizer/, or a run folder of `lm train`) or a registered NAME[:VERSION|ALIAS]." };
        var homeOption = RunsTrackingOptions.HomeOption();
        var promptArgument = new Argument<string>("prompt") { Description = "The text to continue; empty starts from <|endoftext|>.", DefaultValueFactory = _ => "" };
        var maxOption = new Option<int?>("--max-new-tokens") { Description = $"Tokens to generate at most. Defaults to {DefaultMaxNewTokens}, or fewer when the prompt leaves less room in the block size." };
        var temperatureOption = new Option<double>("--temperature") { Description = "Sampling temperature; 0 is greedy. Defaults to 0.8.", DefaultValueFactory = _ => 0.8 };
        var topKOption = new Option<int?>("--top-k") { Description = "Sample among the K likeliest tokens only. Defaults to all." };
        var topPOption = new Option<double?>("--top-p") { Description = "Nucleus sampling: the smallest set of likeliest tokens reaching probability P, in (0, 1]. Defaults to all." };
        var penaltyOption = new Option<double>("--repetition-penalty") { Description = "CTRL's penalty on tokens already present; 1 is none. Defaults to 1.", DefaultValueFactory = _ => 1.0 };
        var stopOption = new Option<string[]>("--stop") { Description = "Stop before this text (repeatable). Defaults to none.", AllowMultipleArgumentsPerToken = false };
        var seedOption = new Option<long?>("--seed") { Description = "Seed for the sampler: the same seed gives the same text. Defaults to a random seed." };
        var command = new Command("generate", "Generate text with a language model, streamed as it is produced.")
        {
            modelArgument, promptArgument, maxOption, temperatureOption, topKOption, topPOption, penaltyOption, stopOption, seedOption, homeOption,
        };
        command.SetAction(result =>
        {
            using var model = LanguageModelResolver.Resolve(result.GetValue(modelArgument)!, result.GetValue(homeOption));
            var package = model.Package;
            var generator = new TextGenerator(package.Model, package.Tokenizer);
            var prompt = result.GetValue(promptArgument) ?? "";
            var options = new GenerationOptions
            {
                MaxNewTokens = result.GetValue(maxOption) ?? MaxNewTokensFor(generator, prompt),
                Temperature = result.GetValue(temperatureOption),
                TopK = result.GetValue(topKOption),
                TopP = result.GetValue(topPOption),
                RepetitionPenalty = result.GetValue(penaltyOption),
                Stop = result.GetValue(stopOption) ?? [],
                Seed = result.GetValue(seedOption),
            };
            // Raw text, not markup: model output may hold '[' and must not be wrapped.
            var writer = AnsiConsole.Profile.Out.Writer;
            writer.Write(prompt);
            foreach (var piece in generator.StreamAsync(prompt, options).ToBlockingEnumerable())
            {
                writer.Write(piece);
                writer.Flush();
            }
            writer.WriteLine();
            return 0;
        });
        return command;
    }

    // Up to 128 new tokens, fewer when the prompt leaves less room (prompt + new − 1 ≤ block size).
    private static int MaxNewTokensFor(TextGenerator generator, string prompt)
    {
        var promptTokens = Math.Max(1, generator.Tokenizer.Encode(prompt).Count);
        return (int)Math.Clamp(generator.BlockSize - promptTokens + 1, 1, DefaultMaxNewTokens);
    }
}
