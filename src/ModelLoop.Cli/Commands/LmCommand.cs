using System.CommandLine;

namespace ModelLoop.Cli.Commands;

/// <summary><c>modelloop lm …</c>: language models (tokenizers, generation).</summary>
internal static class LmCommand
{
    public static Command Create() => new("lm", "Language models: train tokenizers and GPTs on a text corpus, generate text.")
    {
        new Command("tokenizer", "Train a tokenizer (byte-level BPE or characters) and save it in GPT-2's vocab.json + merges.txt layout.")
        {
            LmTokenizerTrainCommand.Create(),
        },
        LmGenerateCommand.Create(),
        LmTrainCommand.Create(),
    };
}
