namespace ModelLoop.Monitoring.Logging;

/// <summary>
/// What a client said about one logged item: the true class (classification) or true values (regression), whether the
/// prediction was correct, a score — any of them, at least one. Stored once per (request id, item); a later, different
/// feedback for the same item replaces it (last write wins, <see cref="Revisions"/> counts the writes).
/// </summary>
public sealed record ItemFeedback
{
    /// <summary>Classification: the true class index.</summary>
    public int? Class { get; init; }
    /// <summary>Regression: the true value of each output.</summary>
    public IReadOnlyList<double>? Values { get; init; }
    /// <summary>Whether the prediction was right.</summary>
    public bool? Correct { get; init; }
    /// <summary>A free score (e.g. a rating).</summary>
    public double? Score { get; init; }
    /// <summary>When it was last written. Not compared by <see cref="SameAnswer"/>.</summary>
    public DateTimeOffset TimeUtc { get; init; } = DateTimeOffset.UtcNow;
    /// <summary>How many different feedbacks were written for the item (1 for the first).</summary>
    public int Revisions { get; init; } = 1;

    /// <summary>True when both say the same (class, values, correct, score), whenever they were written.</summary>
    public bool SameAnswer(ItemFeedback other) =>
        Class == other.Class && Correct == other.Correct && Score == other.Score
        && (Values is null ? other.Values is null : other.Values is not null && Values.SequenceEqual(other.Values));
}
