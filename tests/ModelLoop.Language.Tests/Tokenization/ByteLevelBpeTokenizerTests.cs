using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using ModelLoop.Language.Tokenization;

namespace ModelLoop.Language.Tests.Tokenization;

public sealed class ByteLevelBpeTokenizerTests
{
    private static readonly Lazy<ByteLevelBpeTokenizer> Trained = new(() => BpeTrainer.Train(Samples.Texts, new BpeTrainerOptions { VocabularySize = 600 }));

    [Fact]
    public void Decoding_what_was_encoded_gives_back_the_text_including_chinese_emoji_and_control_characters()
    {
        var tokenizer = Trained.Value;
        foreach (var text in Samples.Texts.Concat(Samples.Tricky))
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void Text_never_seen_in_training_still_encodes_through_byte_tokens()
    {
        var tokenizer = Trained.Value;
        const string unseen = "Ωμέγα ✓ ⅞ 🦀";
        var ids = tokenizer.Encode(unseen);
        Assert.All(ids, id => Assert.InRange(id, 0, tokenizer.VocabularySize - 1));
        Assert.Equal(unseen, tokenizer.Decode(ids));
    }

    [Fact]
    public void A_token_that_ends_inside_a_multibyte_character_decodes_alone_to_a_replacement_character_and_whole_sequences_stay_exact()
    {
        var tokenizer = Trained.Value;
        var text = string.Join("\n", Samples.Chinese.Select(d => d.Text)) + " 😀👍🏽";
        var ids = tokenizer.Encode(text);
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        var split = ids.Where(id => !IsValidUtf8(strict, tokenizer.DecodeToBytes([id]))).ToList();

        Assert.NotEmpty(split); // the corpus does exercise tokens that cut a character
        Assert.Contains('\uFFFD', tokenizer.Decode([split[0]]));
        Assert.Equal(text, tokenizer.Decode(ids));
        Assert.Equal(Encoding.UTF8.GetBytes(text), tokenizer.DecodeToBytes(ids));
    }

    [Fact]
    public void The_end_of_text_marker_in_text_becomes_the_special_id_and_decodes_back()
    {
        var tokenizer = Trained.Value;
        var ids = tokenizer.Encode($"first{SpecialTokens.EndOfText}second");
        Assert.Single(ids, tokenizer.EndOfTextId);
        Assert.Equal(tokenizer.VocabularySize - 1, tokenizer.EndOfTextId);
        Assert.Equal($"first{SpecialTokens.EndOfText}second", tokenizer.Decode(ids));
    }

    [Fact]
    public void Saving_and_loading_keeps_every_id_and_writes_gpt2_files()
    {
        var folder = Directory.CreateTempSubdirectory("bpe-save").FullName;
        try
        {
            Trained.Value.Save(folder);
            var loaded = ByteLevelBpeTokenizer.Load(folder);
            foreach (var text in Samples.Texts)
                Assert.Equal(Trained.Value.Encode(text), loaded.Encode(text));
            Assert.StartsWith("#version", File.ReadLines(Path.Combine(folder, "merges.txt")).First(), StringComparison.Ordinal);
            Assert.Equal(Trained.Value.Merges.Count + 1, File.ReadLines(Path.Combine(folder, "merges.txt")).Count());
            Assert.IsType<ByteLevelBpeTokenizer>(TextTokenizers.Load(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Microsoft_ML_Tokenizers_byte_level_bpe_reads_the_saved_files_and_gives_the_same_ids_on_the_corpus()
    {
        var folder = Directory.CreateTempSubdirectory("bpe-mltok").FullName;
        try
        {
            Trained.Value.Save(folder);
            var vocabulary = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(folder, "vocab.json")))!;
            var special = new Dictionary<string, int> { [SpecialTokens.EndOfText] = vocabulary[SpecialTokens.EndOfText] };
            var reference = BpeTokenizer.Create(new BpeOptions(vocabulary)
            {
                Merges = File.ReadLines(Path.Combine(folder, "merges.txt")).Where(l => !l.StartsWith("#version", StringComparison.Ordinal)),
                ByteLevel = true,
                SpecialTokens = special,
                // GPT-2's published pre-tokenization pattern.
                PreTokenizer = new RegexPreTokenizer(new Regex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"), special),
            });
            var texts = Samples.Texts.Concat(Samples.Tricky.Where(t => t.Length > 0)).ToList();
            foreach (var text in texts)
                Assert.Equal(reference.EncodeToIds(text), Trained.Value.Encode(text));
            Assert.True(texts.Count > 100, $"compared only {texts.Count} texts");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Microsoft_ML_Tokenizers_gpt2_family_loader_opens_the_saved_files_and_agrees_on_text_without_whitespace_runs()
    {
        var folder = Directory.CreateTempSubdirectory("bpe-codegen").FullName;
        try
        {
            Trained.Value.Save(folder);
            using var vocab = File.OpenRead(Path.Combine(folder, "vocab.json"));
            using var merges = File.OpenRead(Path.Combine(folder, "merges.txt"));
            // CodeGenTokenizer is GPT-2's tokenizer plus extra tokens for runs of spaces and tabs (CodeGen's own ids above
            // GPT-2's), so it agrees with GPT-2-layout files wherever no such run occurs.
            var codeGen = CodeGenTokenizer.Create(vocab, merges, addPrefixSpace: false, addBeginOfSentence: false, addEndOfSentence: false);
            var texts = Samples.Texts.Where(t => !Regex.IsMatch(t, @"[ \t]{2,}")).ToList();
            foreach (var text in texts)
                Assert.Equal(codeGen.EncodeToIds(text), Trained.Value.Encode(text));
            Assert.True(texts.Count > 30, $"compared only {texts.Count} texts");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_vocabulary_without_a_byte_token_is_refused_with_the_byte_named()
    {
        var vocabulary = new Dictionary<string, int> { ["a"] = 0, [SpecialTokens.EndOfText] = 1 };
        var error = Assert.Throws<FormatException>(() => new ByteLevelBpeTokenizer(vocabulary, []));
        Assert.Contains("byte token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_id_outside_the_vocabulary_is_refused_when_decoding()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Trained.Value.Decode([Trained.Value.VocabularySize]));
        Assert.Contains("outside", error.Message, StringComparison.Ordinal);
    }

    private static bool IsValidUtf8(UTF8Encoding strict, byte[] bytes)
    {
        try
        {
            strict.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
