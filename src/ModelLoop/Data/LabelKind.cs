namespace ModelLoop.Data;

/// <summary>What the label column of a table holds.</summary>
public enum LabelKind
{
    /// <summary>Class indices 0…k−1, loaded as int64 (N): for cross-entropy or binary cross-entropy.</summary>
    ClassIndex,
    /// <summary>Real values, loaded as float32 (N, 1): for regression.</summary>
    Value,
}
