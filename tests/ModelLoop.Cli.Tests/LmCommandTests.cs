using System.Globalization;
using ModelLoop.Language.Tokenization;

namespace ModelLoop.Cli.Tests;

public sealed class LmCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lm-cli").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly string[] Entries = [.. Enumerable.Range(0, 60).Select(i => $"Fortune number {i} says: the quick brown fox jumps over the lazy dog {i % 7} times.\n  — 古人云 {i}")];

    private string Corpus()
    {
        var path = Path.Combine(_folder, "wisdom");
        File.WriteAllText(path, string.Join("\n%\n", Entries) + "\n%\n");
        return path;
    }

    [Fact]
    public void Training_a_bpe_tokenizer_writes_gpt2_files_and_prints_progress_and_compression()
    {
        var output = Path.Combine(_folder, "tok");
        var (exit, text) = RegistryCommandsTests.Capture("lm", "tokenizer", "train", "--corpus", Corpus(), "--vocab-size", "320", "--out", output);

        Assert.True(exit == 0, text);
        Assert.Contains("merges 63/63 (100%)", text, StringComparison.Ordinal);
        Assert.Contains("Trained a byte-level BPE tokenizer: 320 tokens (63 merges) on 60 documents.", text, StringComparison.Ordinal);
        Assert.Matches(@"Compression: [\d,]+ bytes → [\d,]+ tokens, \d+\.\d\d bytes/token\.", text);
        var tokenizer = Assert.IsType<ByteLevelBpeTokenizer>(TextTokenizers.Load(output));
        Assert.Equal(320, tokenizer.VocabularySize);
        Assert.True(File.Exists(Path.Combine(output, "merges.txt")));
    }

    [Fact]
    public void A_character_tokenizer_reports_the_vocabulary_the_corpus_needs()
    {
        var output = Path.Combine(_folder, "chars");
        var (exit, text) = RegistryCommandsTests.Capture("lm", "tokenizer", "train", "--corpus", Corpus(), "--kind", "char", "--out", output);

        Assert.True(exit == 0, text);
        var tokenizer = Assert.IsType<CharTokenizer>(TextTokenizers.Load(output));
        Assert.Contains($"Trained a character tokenizer: {tokenizer.VocabularySize.ToString(CultureInfo.InvariantCulture)} tokens on 60 documents.", text, StringComparison.Ordinal);
        var bytes = Entries.Sum(e => System.Text.Encoding.UTF8.GetByteCount(e));
        var characters = Entries.Sum(e => e.EnumerateRunes().Count());
        Assert.Contains(string.Format(CultureInfo.InvariantCulture, "Compression: {0:N0} bytes → {1:N0} tokens, {2:F2} bytes/token.", bytes, characters, bytes / (double)characters), text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vocabulary_below_the_byte_alphabet_fails_with_the_value_named_and_exit_code_2()
    {
        var (exit, text) = RegistryCommandsTests.Capture("lm", "tokenizer", "train", "--corpus", Corpus(), "--vocab-size", "100", "--out", Path.Combine(_folder, "x"));

        Assert.Equal(2, exit);
        Assert.Contains("VocabularySize=100", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_corpus_fails_with_the_path_named()
    {
        var missing = Path.Combine(_folder, "nope");
        var (exit, text) = RegistryCommandsTests.Capture("lm", "tokenizer", "train", "--corpus", missing);

        Assert.Equal(2, exit);
        Assert.Contains(missing, text, StringComparison.Ordinal);
    }
}
