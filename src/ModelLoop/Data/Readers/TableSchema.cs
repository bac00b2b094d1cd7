namespace ModelLoop.Data.Readers;

/// <summary>The inferred schema of a table: one <see cref="ColumnSchema"/> per column, in file order.</summary>
public sealed record TableSchema(IReadOnlyList<ColumnSchema> Columns)
{
    /// <summary>The column named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No such column; the message lists the columns there are.</exception>
    public ColumnSchema this[string name] =>
        Columns.FirstOrDefault(c => c.Name == name)
        ?? throw new ArgumentException($"The table has no column '{name}'. Its columns are: {string.Join(", ", Columns.Select(c => c.Name))}.", nameof(name));
}
