using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ModelLoop.Data.Readers;

namespace ModelLoop.Data.Anonymization;

/// <summary>
/// Finds personal data (<see cref="PiiDetector"/>) in tables and text and masks, drops or pseudonymizes it, with a
/// report of what was found where. Pseudonyms are HMAC-SHA-256 of the value under a secret key: stable across
/// files and runs with the same key (joins still work), unrecoverable without it.
/// </summary>
public sealed partial class Anonymizer
{
    private readonly AnonymizationOptions _options;

    /// <exception cref="ArgumentException">Pseudonymize without a key of at least 16 bytes.</exception>
    public Anonymizer(AnonymizationOptions? options = null)
    {
        _options = options ?? new AnonymizationOptions();
        if (_options.Action == PiiAction.Pseudonymize && (_options.Key is null || _options.Key.Length < 16))
            throw new ArgumentException($"Pseudonymization needs a secret key of at least 16 bytes in AnonymizationOptions.Key (received {_options.Key?.Length ?? 0}); e.g. RandomNumberGenerator.GetBytes(32), stored apart from the data.", nameof(options));
    }

    /// <summary>
    /// Scans every cell of every column (but <see cref="AnonymizationOptions.KeepColumns"/>) and returns the
    /// anonymized table and the report. Name-hinted columns are treated as a whole-cell <see cref="PiiKind.Name"/>.
    /// </summary>
    public (RawTable Table, AnonymizationReport Report) Anonymize(RawTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        foreach (var keep in _options.KeepColumns)
            table.IndexOf(keep);
        var nameColumns = _options.NameColumns ?? table.Columns.Where(IsNameHint).ToArray();
        foreach (var name in nameColumns)
            table.IndexOf(name);
        var counts = new Dictionary<(string Column, PiiKind Kind), List<int>>();
        var rows = table.Rows.Select(r => (string?[])r.Clone()).ToArray();
        for (var c = 0; c < table.Columns.Count; c++)
        {
            var column = table.Columns[c];
            if (_options.KeepColumns.Contains(column))
                continue;
            var wholeName = nameColumns.Contains(column) && _options.Kinds.Contains(PiiKind.Name);
            for (var r = 0; r < rows.Length; r++)
            {
                var cell = rows[r][c];
                if (string.IsNullOrWhiteSpace(cell) || table.Inference.IsMissing(cell))
                    continue;
                IReadOnlyList<PiiDetector.Match> matches = wholeName ? [new(PiiKind.Name, 0, cell.Length)] : PiiDetector.Find(cell, _options.Kinds.ToArray());
                if (matches.Count == 0)
                    continue;
                foreach (var match in matches)
                {
                    var key = (column, match.Kind);
                    if (!counts.TryGetValue(key, out var list))
                        counts[key] = list = [];
                    list.Add(r);
                }
                rows[r][c] = Replace(cell, matches);
            }
        }
        var findings = counts.Select(p => new PiiFinding(p.Key.Column, p.Key.Kind, p.Value.Count, p.Value.Distinct().Take(5).ToArray()))
            .OrderBy(f => table.IndexOf(f.Column!)).ThenBy(f => f.Kind).ToArray();
        var result = new RawTable(table.Columns, rows, table.Inference);
        var dropped = new List<string>();
        if (_options.Action == PiiAction.Drop)
        {
            // Dropping a column removes it from every row: the original table's cells, not the partly edited ones, are gone.
            foreach (var column in findings.Select(f => f.Column!).Distinct())
            {
                result = result.WithoutColumn(column);
                dropped.Add(column);
            }
        }
        return (result, new AnonymizationReport(findings, table.Count, _options.Action.ToString(), dropped));
    }

    /// <summary>Anonymizes free text (a document, a log line, a review) and reports what was found.</summary>
    public (string Text, AnonymizationReport Report) AnonymizeText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var matches = PiiDetector.Find(text, _options.Kinds.Where(k => k != PiiKind.Name).ToArray());
        var findings = matches.GroupBy(m => m.Kind).Select(g => new PiiFinding(null, g.Key, g.Count(), [0])).ToArray();
        return (Replace(text, matches), new AnonymizationReport(findings, 1, _options.Action.ToString(), []));
    }

    /// <summary>The pseudonym of a value under this anonymizer's key: "pii_" and 16 hex digits of HMAC-SHA-256.</summary>
    public string Pseudonym(string value)
    {
        var key = _options.Key ?? throw new InvalidOperationException("Pseudonyms need AnonymizationOptions.Key; set a secret key of at least 16 bytes.");
        var hash = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(value.Trim()));
        return "pii_" + Convert.ToHexStringLower(hash, 0, 8);
    }

    private string Replace(string text, IReadOnlyList<PiiDetector.Match> matches)
    {
        var result = new StringBuilder(text.Length);
        var at = 0;
        foreach (var match in matches)
        {
            result.Append(text, at, match.Index - at);
            result.Append(_options.Action switch
            {
                PiiAction.Mask => $"[{match.Kind.ToString().ToUpperInvariant()}]",
                PiiAction.Pseudonymize => Pseudonym(text.Substring(match.Index, match.Length)),
                _ => "",
            });
            at = match.Index + match.Length;
        }
        return result.Append(text, at, text.Length - at).ToString();
    }

    [GeneratedRegex(@"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")]
    private static partial Regex Words();

    /// <summary>True when the column name has the word "name" (first_name, LastName, "customer name"), not filename or username.</summary>
    internal static bool IsNameHint(string column) =>
        Words().Matches(column).Any(w => w.Value.Equals("name", StringComparison.OrdinalIgnoreCase));
}
