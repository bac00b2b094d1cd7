namespace ModelLoop.Language.Tokenization;

/// <summary>
/// <see cref="BpeTrainer"/>'s bookkeeping: the weighted count of every adjacent pair, which words hold it, and a
/// priority queue (highest count, then smaller left id, then smaller right id) with lazy deletion — an entry whose
/// count no longer matches the table is stale and skipped when it surfaces.
/// </summary>
internal sealed class PairTable
{
    private readonly Dictionary<long, long> _counts = new();
    private readonly Dictionary<long, HashSet<int>> _words = new();
    private readonly PriorityQueue<long, (long NegativeCount, int Left, int Right)> _queue = new();

    public static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    public void Add(int left, int right, long weight, int word)
    {
        var key = Key(left, right);
        _counts[key] = _counts.GetValueOrDefault(key) + weight;
        Index(left, right, word);
    }

    /// <summary>Records that <paramref name="word"/> holds (left, right).</summary>
    public void Index(int left, int right, int word)
    {
        var key = Key(left, right);
        if (!_words.TryGetValue(key, out var set))
            _words[key] = set = [];
        set.Add(word);
    }

    public void QueueAll()
    {
        foreach (var (key, count) in _counts)
            Enqueue(key, count);
    }

    /// <summary>The best pair still current, or false when none is left.</summary>
    public bool TryTakeBest(out int left, out int right, out long count)
    {
        while (_queue.TryDequeue(out var key, out var priority))
        {
            if (_counts.GetValueOrDefault(key) != -priority.NegativeCount)
                continue;
            (left, right, count) = (priority.Left, priority.Right, -priority.NegativeCount);
            return true;
        }
        (left, right, count) = (0, 0, 0);
        return false;
    }

    /// <summary>The words that held (left, right), sorted (for a deterministic order); the pair's index entry is removed.</summary>
    public int[] TakeWords(int left, int right)
    {
        var key = Key(left, right);
        if (!_words.Remove(key, out var set))
            return [];
        var words = set.ToArray();
        Array.Sort(words);
        return words;
    }

    /// <summary>Adds the count changes of one merge and queues each changed pair at its new count.</summary>
    public void Apply(Dictionary<long, long> changes)
    {
        foreach (var (key, change) in changes)
        {
            if (change == 0)
                continue;
            var count = _counts.GetValueOrDefault(key) + change;
            if (count <= 0)
            {
                _counts.Remove(key);
                continue;
            }
            _counts[key] = count;
            Enqueue(key, count);
        }
    }

    private void Enqueue(long key, long count) => _queue.Enqueue(key, (-count, (int)(key >> 32), (int)(key & 0xFFFFFFFF)));
}
