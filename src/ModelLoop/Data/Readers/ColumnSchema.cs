using System.Text.Json.Serialization;

namespace ModelLoop.Data.Readers;

/// <summary>One column of a <see cref="TableSchema"/>: its name, inferred kind, and what inference saw.</summary>
/// <param name="Name">The header name.</param>
/// <param name="Kind">What the column holds.</param>
/// <param name="Missing">Cells that were blank or a missing marker (NA, NaN, null, ?).</param>
/// <param name="Distinct">Distinct non-missing values.</param>
public sealed record ColumnSchema(string Name, [property: JsonConverter(typeof(JsonStringEnumConverter<ColumnKind>))] ColumnKind Kind, int Missing, int Distinct);
