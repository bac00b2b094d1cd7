namespace ModelLoop.Data.Readers;

/// <summary>What a table column holds, as <see cref="SchemaInference"/> decides from its non-missing cells.</summary>
public enum ColumnKind
{
    /// <summary>Every non-missing cell is a finite number (invariant culture).</summary>
    Numeric,
    /// <summary>Few distinct values (see <see cref="SchemaInferenceOptions.MaxCategories"/>).</summary>
    Categorical,
    /// <summary>Free text: many distinct values that are neither numbers nor dates.</summary>
    Text,
    /// <summary>Every non-missing cell is an ISO-8601 date or date-time (e.g. 2024-05-31, 2024-05-31T12:00:00Z).</summary>
    Date,
    /// <summary>Every cell is missing: nothing to learn from.</summary>
    Empty,
}
