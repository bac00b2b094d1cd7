using System.CommandLine;

namespace ModelLoop.Cli.Commands;

/// <summary><c>modelloop lm …</c>: language models (tokenizers first).</summary>
internal static class LmCommand
{
    public static Command Create() => new("lm", "Language models: train tokenizers on a text corpus.")
    {
        new Command("tokenizer", "Train a tokenizer (byte-level BPE or characters) and save it in GPT-2's vocab.json + merges.txt layout.")
        {
            LmTokenizerTrainCommand.Create(),
        },
    };
}
