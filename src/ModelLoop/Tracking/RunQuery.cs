namespace ModelLoop.Tracking;

/// <summary>
/// Which runs <see cref="RunStore.Search"/> returns: a filter, and one page of the matches, newest first.
/// </summary>
public sealed record RunQuery
{
    /// <summary>
    /// Clauses joined by "and": <c>params.KEY OP VALUE</c>, <c>metrics.KEY OP VALUE</c> (the metric's last value),
    /// <c>name OP VALUE</c> or <c>status = Finished</c>, where OP is one of = != &gt; &gt;= &lt; &lt;=; a VALUE that reads
    /// as a number is compared as a number. Example: <c>params.optimizer = adam and metrics.val_accuracy &gt; 0.9</c>.
    /// Defaults to null: every run.
    /// </summary>
    public string? Filter { get; init; }

    /// <summary>Matches skipped before the page (paging). Defaults to 0.</summary>
    public int Offset { get; init; }

    /// <summary>Most runs on the page, 1…1000. Defaults to 50.</summary>
    public int Limit { get; init; } = 50;
}
