using ModelLoop.Data.Readers;

namespace ModelLoop.Data.Inspection;

/// <summary>
/// What one column looks like: kind, missing and distinct counts; for numeric columns min, quartiles, mean and max;
/// for the others the most frequent value and its count.
/// </summary>
public sealed record ColumnSummary(string Name, ColumnKind Kind, int Missing, int Distinct,
    double? Min = null, double? Q1 = null, double? Median = null, double? Q3 = null, double? Max = null, double? Mean = null,
    string? Top = null, int TopCount = 0);
