using System.Text.Json;

namespace ModelLoop.Data.Anonymization;

/// <summary>The result of an anonymization pass: what was found where, and what was done.</summary>
public sealed record AnonymizationReport(IReadOnlyList<PiiFinding> Findings, int RowsScanned, string Action, IReadOnlyList<string> DroppedColumns)
{
    /// <summary>Total matches over all columns and kinds.</summary>
    public int Total => Findings.Sum(f => f.Count);

    /// <summary>The report as indented JSON (camelCase), for the dataset folder or an audit trail.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase });
}
