using ModelLoop.Data.Anonymization;
using ModelLoop.Data.Preprocessing;

namespace ModelLoop.Data.Versioning;

/// <summary>How <see cref="DatasetPreparer"/> turns a raw table into a versioned, split dataset. Every setting documents its default.</summary>
public sealed record PrepareOptions
{
    /// <summary>The target column; classification labels make the split stratified. Defaults to null (no label, random split).</summary>
    public string? LabelColumn { get; init; }
    /// <summary>Rows sharing a value here (a patient, a user) stay in one split. Defaults to null (no groups).</summary>
    public string? GroupColumn { get; init; }
    /// <summary>Defaults to 0.1.</summary>
    public double Validation { get; init; } = 0.1;
    /// <summary>Defaults to 0.2.</summary>
    public double Test { get; init; } = 0.2;
    /// <summary>Seed of the split. Defaults to 42.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>Remove exact duplicate rows before splitting (so a row cannot be in train and test). Defaults to true.</summary>
    public bool RemoveDuplicates { get; init; } = true;
    /// <summary>Anonymize before anything else is written. Defaults to null (no anonymization).</summary>
    public AnonymizationOptions? Anonymization { get; init; }
    /// <summary>The pipeline fitted on the training split; its LabelColumn is set from <see cref="LabelColumn"/>. Defaults to <see cref="PreprocessingOptions"/>' defaults.</summary>
    public PreprocessingOptions Preprocessing { get; init; } = new();
}
