using ModelLoop.Data.Readers;

namespace ModelLoop.Data.Anonymization;

/// <summary>
/// k-anonymity (Sweeney 2002): every combination of quasi-identifier values (age band, ZIP code, gender…) must be
/// shared by at least k rows, so no one is singled out by them. Generalize or suppress those columns until it holds.
/// </summary>
public static class KAnonymity
{
    /// <exception cref="ArgumentException">k &lt; 1, no columns, or a column the table lacks.</exception>
    public static KAnonymityResult Check(RawTable table, IReadOnlyList<string> quasiIdentifiers, int k)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(quasiIdentifiers);
        if (k < 1)
            throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1 (e.g. 5: every combination of quasi-identifiers is shared by at least 5 rows).");
        if (quasiIdentifiers.Count == 0)
            throw new ArgumentException("Name at least one quasi-identifier column (e.g. age, zip, gender).", nameof(quasiIdentifiers));
        var indices = quasiIdentifiers.Select(table.IndexOf).ToArray();
        var sizes = table.Rows.GroupBy(r => string.Join('\0', indices.Select(i => r[i]?.Trim() ?? "\u0001"))).Select(g => g.Count()).ToArray();
        var below = sizes.Where(s => s < k).ToArray();
        return new KAnonymityResult(k, quasiIdentifiers.ToArray(), sizes.Length == 0 ? 0 : sizes.Min(), sizes.Length, below.Length, below.Sum());
    }
}
