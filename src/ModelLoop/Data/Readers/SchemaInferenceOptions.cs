namespace ModelLoop.Data.Readers;

/// <summary>How <see cref="SchemaInference"/> classifies columns.</summary>
public sealed record SchemaInferenceOptions
{
    /// <summary>Cell values (compared ignoring case, after trimming) that mean "missing". Defaults to "", NA, N/A, NaN, null, None, ?.</summary>
    public IReadOnlyList<string> MissingMarkers { get; init; } = ["", "NA", "N/A", "NaN", "null", "None", "?"];

    /// <summary>A non-numeric column with at most this many distinct values is categorical, else text. Defaults to 50.</summary>
    public int MaxCategories { get; init; } = 50;

    /// <summary>Defaults used when none are given.</summary>
    public static SchemaInferenceOptions Default { get; } = new();

    /// <summary>True when <paramref name="cell"/> is null or one of <see cref="MissingMarkers"/>.</summary>
    public bool IsMissing(string? cell)
    {
        if (cell is null)
            return true;
        var trimmed = cell.AsSpan().Trim();
        foreach (var marker in MissingMarkers)
            if (trimmed.Equals(marker, StringComparison.OrdinalIgnoreCase))
                return true;
        return false;
    }
}
