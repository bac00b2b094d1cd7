namespace ModelLoop.Data.Preprocessing;

/// <summary>What replaces a missing numeric or date cell; the value is fitted on the training data.</summary>
public enum Imputation
{
    /// <summary>The training mean. The default.</summary>
    Mean,
    /// <summary>The training median (robust to outliers).</summary>
    Median,
    /// <summary>The most frequent training value (ties: the smallest).</summary>
    Mode,
    /// <summary><see cref="PreprocessingOptions.ImputationConstant"/>.</summary>
    Constant,
}
