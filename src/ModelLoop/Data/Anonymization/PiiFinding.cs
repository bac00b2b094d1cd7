using System.Text.Json.Serialization;

namespace ModelLoop.Data.Anonymization;

/// <summary>What was found where: <paramref name="Count"/> matches of <paramref name="Kind"/> in <paramref name="Column"/> (null for free text), first in rows <paramref name="ExampleRows"/>.</summary>
public sealed record PiiFinding(string? Column, [property: JsonConverter(typeof(JsonStringEnumConverter<PiiKind>))] PiiKind Kind, int Count, IReadOnlyList<int> ExampleRows);
