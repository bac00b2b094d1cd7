namespace ModelLoop.Evaluation.Report;

/// <summary>
/// A section another assembly adds to the evaluation report (e.g. the privacy audit): a heading, paragraphs, a table
/// and plots in report.html, and <see cref="Data"/> under <see cref="Key"/> in evaluation.json.
/// </summary>
public sealed record ReportSection
{
    /// <summary>The section's key in evaluation.json (camelCase, e.g. "privacy"); must not be a key the report already writes.</summary>
    public required string Key { get; init; }
    /// <summary>The section's heading in report.html.</summary>
    public required string Heading { get; init; }
    /// <summary>Written to evaluation.json under <see cref="Key"/> (serialized with the report's JSON options).</summary>
    public required object Data { get; init; }
    /// <summary>Paragraphs under the heading, as plain text. Defaults to none.</summary>
    public IReadOnlyList<string> Paragraphs { get; init; } = [];
    /// <summary>Column headers of the section's table. Defaults to none (no table).</summary>
    public IReadOnlyList<string> TableHeaders { get; init; } = [];
    /// <summary>Rows of the table, one cell per header, as plain text. Defaults to none.</summary>
    public IReadOnlyList<IReadOnlyList<string>> TableRows { get; init; } = [];
    /// <summary>Plots shown in the section (their names join the report's plot list). Defaults to none.</summary>
    public IReadOnlyList<ReportPlot> Plots { get; init; } = [];
    /// <summary>Warnings shown highlighted in the section. Defaults to none.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
