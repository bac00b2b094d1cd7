using CsvHelper;
using ModelLoop.IO;

namespace ModelLoop.Data.Readers;

/// <summary>
/// A table of raw string cells as read from a file (null = missing), with its inferred <see cref="Schema"/>.
/// This is the input of preprocessing (<c>PreprocessingPipeline.Fit/Transform</c>), splits and anonymization;
/// cells stay strings until a fitted pipeline turns them into a tensor, so the same code serves a file and one
/// client record.
/// </summary>
public sealed class RawTable
{
    private TableSchema? _schema;

    /// <exception cref="ArgumentException">Column names are not unique, or a row has a different cell count than there are columns.</exception>
    public RawTable(IReadOnlyList<string> columns, IReadOnlyList<string?[]> rows, SchemaInferenceOptions? inference = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        var duplicate = columns.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Column '{duplicate.Key}' appears {duplicate.Count()} times; column names must be unique.", nameof(columns));
        for (var i = 0; i < rows.Count; i++)
            if (rows[i].Length != columns.Count)
                throw new ArgumentException($"Row {i} has {rows[i].Length} cells; expected {columns.Count}, one per column.", nameof(rows));
        Columns = columns.ToArray();
        Rows = rows;
        Inference = inference ?? SchemaInferenceOptions.Default;
    }

    public IReadOnlyList<string> Columns { get; }
    public IReadOnlyList<string?[]> Rows { get; }
    public int Count => Rows.Count;

    /// <summary>The options the schema is inferred with (missing markers, category limit).</summary>
    public SchemaInferenceOptions Inference { get; }

    /// <summary>The inferred schema (computed on first use).</summary>
    public TableSchema Schema => _schema ??= SchemaInference.Infer(Columns, Rows, Inference);

    /// <summary>Index of the column named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No such column; the message lists the columns.</exception>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
            if (Columns[i] == name)
                return i;
        throw new ArgumentException($"The table has no column '{name}'. Its columns are: {string.Join(", ", Columns)}.", nameof(name));
    }

    /// <summary>The cells of one column, in row order.</summary>
    public string?[] Column(string name)
    {
        var index = IndexOf(name);
        return Rows.Select(r => r[index]).ToArray();
    }

    /// <summary>The rows at <paramref name="indices"/> (in that order) as a new table with the same columns.</summary>
    public RawTable Select(IReadOnlyList<int> indices) => new(Columns, indices.Select(i => Rows[i]).ToArray(), Inference);

    /// <summary>The table without <paramref name="column"/>.</summary>
    public RawTable WithoutColumn(string column)
    {
        var index = IndexOf(column);
        return new RawTable(Columns.Where((_, i) => i != index).ToArray(),
            Rows.Select(r => r.Where((_, i) => i != index).ToArray()).ToArray(), Inference);
    }

    /// <summary>The table with exact duplicate rows removed (first occurrence kept, order kept), and how many were removed.</summary>
    public (RawTable Table, int Removed) WithoutDuplicates()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // The key joins cells with a separator that cannot occur in text (U+0000) and marks nulls apart from "".
        var kept = Rows.Where(r => seen.Add(string.Join('\0', r.Select(c => c is null ? "\u0001" : c)))).ToArray();
        return (new RawTable(Columns, kept, Inference), Rows.Count - kept.Length);
    }

    /// <summary>Writes the table as RFC 4180 CSV with a header row, atomically (temp file + rename). Null cells are written empty.</summary>
    public void WriteCsv(string path)
    {
        AtomicFile.Write(path, stream =>
        {
            using var csv = CsvWriter.Create(stream, CsvWriterOptions.Default with { NewLine = "\n" }, leaveOpen: true);
            csv.WriteHeader(Columns.ToArray());
            foreach (var row in Rows)
                csv.WriteRecord(row.Select(c => c ?? "").ToArray());
        });
    }
}
