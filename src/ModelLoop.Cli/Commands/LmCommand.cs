using System.CommandLine;

namespace ModelLoop.Cli.Commands;

/// <summary><c>modelloop lm …</c>: language models (tokenizers, generation).</summary>
internal static class LmCommand
{
    public static Command Create() => new("lm", "Language models: train tokenizers and GPTs on a text corpus, generate text, fine-tune with LoRA, import and export GPT-2 weights.")
    {
        new Command("tokenizer", "Train a tokenizer (byte-level BPE or characters) and save it in GPT-2's vocab.json + merges.txt layout.")
        {
            LmTokenizerTrainCommand.Create(),
        },
        LmGenerateCommand.Create(),
        LmFinetuneCommand.Create(),
        LmMergeCommand.Create(),
        LmImportCommand.Create(),
        LmExportCommand.Create(),
        LmTrainCommand.Create(),
        LmEvalCommand.Create(),
        LmCompareCommand.Create(),
    };
}
