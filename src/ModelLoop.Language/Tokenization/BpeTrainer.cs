namespace ModelLoop.Language.Tokenization;

/// <summary>
/// Learns a GPT-2-style byte-level BPE vocabulary from a corpus. Written here because no NuGet package trains one:
/// Microsoft.ML.Tokenizers only loads vocabularies, and the Hugging Face wrappers need a native Rust library.
/// <para>
/// The algorithm (Sennrich et al. 2016, as in GPT-2): count the corpus's pre-tokens (words) once, start from the 256
/// byte tokens, then repeatedly merge the most frequent adjacent pair. Pair counts are kept over distinct words
/// weighted by frequency and updated incrementally — only the words holding the merged pair are revisited, through an
/// index of pair → words — and a priority queue with lazy deletion finds the next pair, so a merge costs time in
/// proportion to the words it touches, not to the corpus. Ties go to the pair of smaller ids (left, then right), so
/// the same corpus always gives the same merges.
/// </para>
/// </summary>
public static class BpeTrainer
{
    /// <summary>Trains on <paramref name="documents"/> (each pre-tokenized on its own, so no token spans two documents).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A vocabulary size below 257 or a minimum pair count below 1.</exception>
    public static ByteLevelBpeTokenizer Train(IEnumerable<string> documents, BpeTrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        options ??= new BpeTrainerOptions();
        if (options.VocabularySize < 257)
            throw new ArgumentOutOfRangeException(nameof(options), options.VocabularySize,
                $"VocabularySize must be at least 257 (256 byte tokens + {SpecialTokens.EndOfText}); received VocabularySize={options.VocabularySize}. Choose e.g. 1024 or more.");
        if (options.MinPairCount < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MinPairCount, $"MinPairCount must be at least 1; received MinPairCount={options.MinPairCount}.");

        // Distinct words and how often each occurs: the corpus shrinks to a few tens of thousands of entries.
        var wordCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var document in documents)
            foreach (var piece in document.Split(SpecialTokens.EndOfText))
                foreach (var match in ByteLevel.PreTokenizer().EnumerateMatches(piece))
                {
                    var word = ByteLevel.ToSymbols(piece.AsSpan(match.Index, match.Length));
                    wordCounts[word] = wordCounts.GetValueOrDefault(word) + 1;
                }

        var tokens = new List<string>(options.VocabularySize);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var byteIds = new int[512];
        foreach (var b in ByteLevel.VocabularyOrder)
        {
            var symbol = ByteLevel.ByteToChar[b].ToString();
            byteIds[symbol[0]] = tokens.Count;
            ids[symbol] = tokens.Count;
            tokens.Add(symbol);
        }
        var words = new List<int[]>(wordCounts.Count);
        var frequencies = new List<long>(wordCounts.Count);
        foreach (var (word, count) in wordCounts.OrderBy(w => w.Key, StringComparer.Ordinal)) // a fixed order: same corpus, same run
        {
            words.Add([.. word.Select(c => byteIds[c])]);
            frequencies.Add(count);
        }

        var pairs = new PairTable();
        for (var w = 0; w < words.Count; w++)
            for (var i = 0; i + 1 < words[w].Length; i++)
                pairs.Add(words[w][i], words[w][i + 1], frequencies[w], w);
        pairs.QueueAll();

        var merges = new List<(string, string)>();
        var target = options.VocabularySize - 1 - tokens.Count; // the last id is reserved for EndOfText
        var step = Math.Max(1, target / 100);
        long lastCount = 0;
        var changes = new Dictionary<long, long>();
        while (tokens.Count < options.VocabularySize - 1 && pairs.TryTakeBest(out var left, out var right, out lastCount) && lastCount >= options.MinPairCount)
        {
            var mergedText = tokens[left] + tokens[right];
            // Two merge paths can spell the same bytes ("a"+"bc", "ab"+"c"); they share one token.
            if (!ids.TryGetValue(mergedText, out var merged))
            {
                merged = tokens.Count;
                ids[mergedText] = merged;
                tokens.Add(mergedText);
            }
            merges.Add((tokens[left], tokens[right]));
            changes.Clear();
            foreach (var w in pairs.TakeWords(left, right))
            {
                var updated = MergeWord(words[w], left, right, merged);
                if (updated is null)
                    continue; // the index is lazy: this word lost the pair in an earlier merge
                Count(words[w], -frequencies[w], changes);
                Count(updated, frequencies[w], changes);
                for (var i = 0; i + 1 < updated.Length; i++)
                    pairs.Index(updated[i], updated[i + 1], w);
                words[w] = updated;
            }
            pairs.Apply(changes);
            if (merges.Count % step == 0)
                options.Progress?.Report(new BpeTrainingProgress(merges.Count, target, lastCount));
        }
        options.Progress?.Report(new BpeTrainingProgress(merges.Count, target, lastCount));

        ids[SpecialTokens.EndOfText] = tokens.Count;
        tokens.Add(SpecialTokens.EndOfText);
        return new ByteLevelBpeTokenizer(ids, merges);
    }

    /// <summary>The word with every (left, right) replaced by <paramref name="merged"/>, left to right; null when it holds none.</summary>
    private static int[]? MergeWord(int[] word, int left, int right, int merged)
    {
        List<int>? result = null;
        for (var i = 0; i < word.Length; i++)
        {
            if (i + 1 < word.Length && word[i] == left && word[i + 1] == right)
            {
                result ??= [.. word[..i]];
                result.Add(merged);
                i++;
            }
            else
            {
                result?.Add(word[i]);
            }
        }
        return result is null ? null : [.. result];
    }

    private static void Count(int[] word, long weight, Dictionary<long, long> changes)
    {
        for (var i = 0; i + 1 < word.Length; i++)
        {
            var key = PairTable.Key(word[i], word[i + 1]);
            changes[key] = changes.GetValueOrDefault(key) + weight;
        }
    }
}
