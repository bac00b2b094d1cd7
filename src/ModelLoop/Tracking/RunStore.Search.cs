using static ModelLoop.Storage.SqliteDatabase;

namespace ModelLoop.Tracking;

public sealed partial class RunStore
{
    /// <summary>
    /// One page of the runs matching <paramref name="query"/>'s filter, newest first, with the number of matches: the
    /// dashboard's run list (stores of 10,000 runs and more). Runs whose process died are marked killed first.
    /// </summary>
    /// <exception cref="ArgumentException">The filter is not understood (the message shows the grammar) or the page is out of range.</exception>
    public RunPage Search(RunQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > 1000)
            throw new ArgumentException($"RunQuery.Limit is {query.Limit}; expected 1…1000 runs per page.", nameof(query));
        if (query.Offset < 0)
            throw new ArgumentException($"RunQuery.Offset is {query.Offset}; expected 0 or more.", nameof(query));
        var (where, parameters) = RunFilter.ToSql(query.Filter);
        MarkDeadRunsKilled();
        return _db.Read(c =>
        {
            var total = Convert.ToInt32(Scalar(c, null, $"SELECT COUNT(*) FROM runs {where}", [.. parameters]), System.Globalization.CultureInfo.InvariantCulture);
            var page = ReadRuns(c, $"{where} ORDER BY started_utc DESC, id DESC LIMIT $limit OFFSET $offset",
                [.. parameters, ("$limit", query.Limit), ("$offset", query.Offset)]);
            return new RunPage(page, total, query.Offset, query.Limit);
        });
    }
}
