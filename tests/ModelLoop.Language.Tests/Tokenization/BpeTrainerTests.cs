using System.Text;
using ModelLoop.Language.Tokenization;

namespace ModelLoop.Language.Tests.Tokenization;

public sealed class BpeTrainerTests
{
    [Fact]
    public void Training_reaches_the_target_vocabulary_size_and_compresses_the_corpus()
    {
        var tokenizer = BpeTrainer.Train(Samples.Texts, new BpeTrainerOptions { VocabularySize = 500 });

        Assert.Equal(500, tokenizer.VocabularySize);
        Assert.Equal(500 - 257, tokenizer.Merges.Count);
        var english = Samples.English.Select(d => d.Text).ToList();
        var bytes = english.Sum(t => Encoding.UTF8.GetByteCount(t));
        var tokens = english.Sum(t => tokenizer.Encode(t).Count);
        Assert.True(bytes / (double)tokens > 1.5, $"{bytes} bytes became {tokens} tokens");
    }

    [Fact]
    public void The_incremental_pair_counts_learn_the_same_merges_as_recounting_every_pair_after_each_merge()
    {
        var texts = Samples.English.Take(40).Select(d => d.Text).Append("aaaa abab aaab").ToList();
        var tokenizer = BpeTrainer.Train(texts, new BpeTrainerOptions { VocabularySize = 400 });

        Assert.Equal(NaiveMerges(texts, 400 - 257), tokenizer.Merges);
    }

    [Fact]
    public void The_same_corpus_gives_the_same_merges_every_time()
    {
        var first = BpeTrainer.Train(Samples.Texts, new BpeTrainerOptions { VocabularySize = 400 });
        var second = BpeTrainer.Train(Samples.Texts.ToList(), new BpeTrainerOptions { VocabularySize = 400 });
        Assert.Equal(first.Merges, second.Merges);
    }

    [Fact]
    public void Training_reports_progress_ending_at_the_merges_learned()
    {
        var reports = new List<BpeTrainingProgress>();
        var tokenizer = BpeTrainer.Train(Samples.Texts, new BpeTrainerOptions { VocabularySize = 460, Progress = new Synchronous<BpeTrainingProgress>(reports.Add) });

        Assert.True(reports.Count >= 10, $"{reports.Count} reports");
        Assert.Equal(tokenizer.Merges.Count, reports[^1].Merges);
        Assert.Equal(460 - 257, reports[^1].TargetMerges);
    }

    [Fact]
    public void A_tiny_corpus_stops_early_when_no_pair_repeats()
    {
        var tokenizer = BpeTrainer.Train(["abc"], new BpeTrainerOptions { VocabularySize = 1000 });
        Assert.Empty(tokenizer.Merges);
        Assert.Equal(257, tokenizer.VocabularySize);
    }

    [Fact]
    public void A_vocabulary_size_below_the_byte_alphabet_is_refused_with_the_value_named()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => BpeTrainer.Train(["text"], new BpeTrainerOptions { VocabularySize = 100 }));
        Assert.Contains("VocabularySize=100", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The textbook algorithm, written independently: recount all pairs, merge the best (count, then smaller ids).</summary>
    private static List<(string, string)> NaiveMerges(IEnumerable<string> texts, int count)
    {
        var order = Enumerable.Range(0, 256).Where(Printable).Concat(Enumerable.Range(0, 256).Where(b => !Printable(b))).ToList();
        var charOf = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
            charOf[b] = Printable(b) ? (char)b : (char)next++;
        var tokens = order.Select(b => charOf[b].ToString()).ToList();
        var words = new List<(List<int> Symbols, int Count)>();
        var pre = new System.Text.RegularExpressions.Regex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+");
        foreach (var group in texts.SelectMany(t => pre.Matches(t).Select(m => m.Value)).GroupBy(w => w))
            words.Add(([.. Encoding.UTF8.GetBytes(group.Key).Select(b => tokens.IndexOf(charOf[b].ToString()))], group.Count()));
        var merges = new List<(string, string)>();
        while (merges.Count < count)
        {
            var pairs = new Dictionary<(int, int), long>();
            foreach (var (symbols, n) in words)
                for (var i = 0; i + 1 < symbols.Count; i++)
                    pairs[(symbols[i], symbols[i + 1])] = pairs.GetValueOrDefault((symbols[i], symbols[i + 1])) + n;
            if (pairs.Count == 0 || pairs.Values.Max() < 2)
                break;
            var best = pairs.OrderByDescending(p => p.Value).ThenBy(p => p.Key.Item1).ThenBy(p => p.Key.Item2).First().Key;
            var text = tokens[best.Item1] + tokens[best.Item2];
            var id = tokens.IndexOf(text);
            if (id < 0)
            {
                id = tokens.Count;
                tokens.Add(text);
            }
            merges.Add((tokens[best.Item1], tokens[best.Item2]));
            foreach (var (symbols, _) in words)
                for (var i = 0; i + 1 < symbols.Count; i++)
                    if (symbols[i] == best.Item1 && symbols[i + 1] == best.Item2)
                    {
                        symbols[i] = id;
                        symbols.RemoveAt(i + 1);
                    }
        }
        return merges;
    }

    private static bool Printable(int b) => b is >= 33 and <= 126 or >= 161 and <= 172 or >= 174 and <= 255;

    /// <summary>Progress&lt;T&gt; posts to the thread pool; the test needs the reports in order, at once.</summary>
    private sealed class Synchronous<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
