using System.CommandLine;
using System.Globalization;
using ModelLoop.Language.Corpora;
using ModelLoop.Language.Tokenization;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop lm tokenizer train --corpus PATH --vocab-size N --out DIR</c>: trains a tokenizer, prints progress
/// every 10% of the merges, then a summary (vocabulary size, compression in bytes per token on the corpus).
/// </summary>
internal static class LmTokenizerTrainCommand
{
    public static Command Create()
    {
        var corpusOption = new Option<string>("--corpus") { Description = $"A corpus file or folder, e.g. {FortunesCorpus.DebianFolder}.", Required = true };
        var vocabOption = new Option<int>("--vocab-size") { Description = "BPE: vocabulary size to reach (256 bytes + merges + <|endoftext|>), at least 257. Defaults to 1024.", DefaultValueFactory = _ => 1024 };
        var outOption = new Option<string>("--out", "-o") { Description = "Folder for vocab.json and merges.txt. Defaults to 'tokenizer'.", DefaultValueFactory = _ => "tokenizer" };
        var kindOption = new Option<TokenizerKind>("--kind") { Description = "bpe (byte-level BPE) or char (one token per character). Defaults to bpe.", DefaultValueFactory = _ => TokenizerKind.Bpe };
        var formatOption = new Option<CorpusFormat>("--format") { Description = "fortunes ('%'-separated entries) or text (blank-line-separated documents; a folder of *.txt files). Defaults to fortunes.", DefaultValueFactory = _ => CorpusFormat.Fortunes };
        var command = new Command("train", "Train a tokenizer on a corpus and save it.") { corpusOption, vocabOption, outOption, kindOption, formatOption };
        command.SetAction(result =>
        {
            var kind = result.GetValue(kindOption);
            var shown = -1;
            var options = new BpeTrainerOptions
            {
                VocabularySize = result.GetValue(vocabOption),
                Progress = new InOrder<BpeTrainingProgress>(p =>
                {
                    var percent = p.TargetMerges == 0 ? 100 : 100 * p.Merges / p.TargetMerges;
                    if (percent / 10 == shown)
                        return;
                    shown = percent / 10;
                    AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "  merges {0:N0}/{1:N0} ({2}%), last pair seen {3:N0} times", p.Merges, p.TargetMerges, percent, p.LastPairCount);
                }),
            };
            var summary = TokenizerTraining.Train(result.GetValue(corpusOption)!, result.GetValue(outOption)!, kind, result.GetValue(formatOption), options);
            AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "Trained a {0} tokenizer: {1:N0} tokens{2} on {3:N0} documents.",
                kind == TokenizerKind.Bpe ? "byte-level BPE" : "character", summary.VocabularySize,
                kind == TokenizerKind.Bpe ? $" ({summary.Merges.ToString("N0", CultureInfo.InvariantCulture)} merges)" : "", summary.Documents);
            AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "Compression: {0:N0} bytes → {1:N0} tokens, {2:F2} bytes/token.", summary.Bytes, summary.Tokens, summary.BytesPerToken);
            foreach (var file in summary.Files)
                AnsiConsole.MarkupLine($"Wrote [blue]{Markup.Escape(file)}[/]");
            return 0;
        });
        return command;
    }

    /// <summary>Reports on the training thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class InOrder<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
