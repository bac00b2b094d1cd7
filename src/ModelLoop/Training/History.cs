namespace ModelLoop.Training;

/// <summary>What a <c>Fit</c> call recorded: one log per epoch (loss, metrics, val_*, lr, seconds).</summary>
public sealed class History
{
    private readonly List<IReadOnlyDictionary<string, double>> _epochs = new();

    /// <summary>The seed used for shuffling, dropout and augmentation.</summary>
    public long Seed { get; internal set; }
    /// <summary>Why training ended before the last epoch (early stopping…), or null.</summary>
    public string? StopReason { get; internal set; }
    /// <summary>The epoch training resumed after, or 0 for a fresh run.</summary>
    public int ResumedFromEpoch { get; internal set; }

    public IReadOnlyList<IReadOnlyDictionary<string, double>> Epochs => _epochs;

    /// <summary>The values of one key per epoch, e.g. History["val_accuracy"].</summary>
    public IReadOnlyList<double> this[string key] =>
        _epochs.Select(e => e.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"History has no '{key}'. Keys: {string.Join(", ", _epochs.FirstOrDefault()?.Keys ?? [])}.")).ToList();

    internal void Add(IReadOnlyDictionary<string, double> logs) => _epochs.Add(logs);
}
