namespace ModelLoop.Data.Anonymization;

/// <summary>
/// The outcome of a k-anonymity check over quasi-identifier columns: <paramref name="SmallestGroup"/> is the size of
/// the rarest combination of their values (the data set is k-anonymous for every k up to it);
/// <paramref name="GroupsBelowK"/> combinations with <paramref name="RowsBelowK"/> rows in all are rarer than the k asked for.
/// </summary>
public sealed record KAnonymityResult(int K, IReadOnlyList<string> Columns, int SmallestGroup, int Groups, int GroupsBelowK, int RowsBelowK)
{
    /// <summary>Every combination of the quasi-identifiers is shared by at least k rows.</summary>
    public bool Satisfied => GroupsBelowK == 0;
}
