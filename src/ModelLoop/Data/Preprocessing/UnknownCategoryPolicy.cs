namespace ModelLoop.Data.Preprocessing;

/// <summary>
/// What a categorical column does with a category it did not keep from training, like scikit-learn's
/// <c>OneHotEncoder(handle_unknown=…)</c>. Recorded per column in the pipeline JSON, so serving applies what training chose.
/// </summary>
public enum UnknownCategoryPolicy
{
    /// <summary>
    /// Encode it as "none of the known categories": all zeros for <see cref="CategoricalEncoding.OneHot"/>, the reserved
    /// index −1 for <see cref="CategoricalEncoding.Ordinal"/>. The default, and what a pipeline saved without a policy does.
    /// </summary>
    Ignore,
    /// <summary>Refuse it: a <see cref="FormatException"/> that names the column, the value and the known categories (a 400 when serving).</summary>
    Error,
    /// <summary>
    /// Categories seen fewer than <see cref="PreprocessingOptions.MinFrequency"/> times in training share one extra
    /// "infrequent" bucket (one more one-hot feature, or the ordinal index after the kept categories), and unseen ones go there too.
    /// </summary>
    Infrequent,
}
