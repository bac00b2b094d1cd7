namespace ModelLoop.Tracking;

/// <summary>One page of <see cref="RunStore.Search"/>: the runs on it (newest first) and how many matched in all.</summary>
public sealed record RunPage(IReadOnlyList<RunRecord> Runs, int Total, int Offset, int Limit)
{
    public bool HasNext => Offset + Runs.Count < Total;
}
