using ModelLoop.Data.Readers;

namespace ModelLoop.Data.Preprocessing;

/// <summary>What <see cref="PreprocessingPipeline.Fit"/> learns and applies. Every setting documents its default.</summary>
public sealed record PreprocessingOptions
{
    /// <summary>The target column: encoded apart by <see cref="PreprocessingPipeline.TransformLabels"/>, never a feature. Defaults to null (no label).</summary>
    public string? LabelColumn { get; init; }

    /// <summary>
    /// How the label is read: <see cref="LabelKind.ClassIndex"/> maps each distinct training value (sorted) to 0…k−1,
    /// <see cref="LabelKind.Value"/> parses numbers for regression. Defaults to null: ClassIndex unless the label column is numeric with more than 20 distinct values.
    /// </summary>
    public LabelKind? LabelKind { get; init; }

    /// <summary>Columns that are neither features nor label (ids, free notes). Defaults to none.</summary>
    public IReadOnlyList<string> IgnoreColumns { get; init; } = [];

    /// <summary>Missing numeric/date cells. Defaults to <see cref="Imputation.Mean"/>; categorical and text columns always use the most frequent value / empty text.</summary>
    public Imputation Imputation { get; init; } = Imputation.Mean;

    /// <summary>The value of <see cref="Imputation.Constant"/>. Defaults to 0.</summary>
    public double ImputationConstant { get; init; }

    /// <summary>Defaults to <see cref="OutlierHandling.None"/>.</summary>
    public OutlierHandling Outliers { get; init; } = OutlierHandling.None;

    /// <summary>k of <see cref="OutlierHandling.IqrClip"/>. Defaults to 1.5.</summary>
    public double IqrFactor { get; init; } = 1.5;

    /// <summary>z of <see cref="OutlierHandling.ZScoreClip"/>. Defaults to 3.</summary>
    public double ZScoreLimit { get; init; } = 3;

    /// <summary>Defaults to <see cref="Scaling.Standard"/>.</summary>
    public Scaling Scaling { get; init; } = Scaling.Standard;

    /// <summary>Defaults to <see cref="CategoricalEncoding.OneHot"/>.</summary>
    public CategoricalEncoding CategoricalEncoding { get; init; } = CategoricalEncoding.OneHot;

    /// <summary>
    /// What a categorical column does with a category it did not keep from training (unseen, or infrequent under
    /// <see cref="UnknownCategoryPolicy.Infrequent"/>). Defaults to <see cref="UnknownCategoryPolicy.Ignore"/>: all zeros one-hot, −1 ordinal.
    /// </summary>
    public UnknownCategoryPolicy UnknownCategories { get; init; } = UnknownCategoryPolicy.Ignore;

    /// <summary>
    /// Under <see cref="UnknownCategoryPolicy.Infrequent"/>, a category seen fewer times than this in training goes to the
    /// shared infrequent bucket. Defaults to 1: every training category is kept and only unseen ones are infrequent.
    /// </summary>
    public int MinFrequency { get; init; } = 1;

    /// <summary>
    /// What features free-text columns become. Defaults to <see cref="TextEncoding.BagOfWords"/>: TF-IDF over the
    /// <see cref="TextVocabularySize"/> most frequent training words, usable by a Dense layer. <see cref="TextEncoding.TokenIds"/>
    /// gives token-id sequences for a model that starts with an Embedding.
    /// </summary>
    public TextEncoding TextEncoding { get; init; } = TextEncoding.BagOfWords;

    /// <summary>How many words (those in the most training cells) a <see cref="TextEncoding.BagOfWords"/> column keeps, one feature each. Defaults to 1,000.</summary>
    public int TextVocabularySize { get; init; } = 1000;

    /// <summary>Under <see cref="TextEncoding.TokenIds"/>, text columns become this many token ids (0 = padding, 1 = unseen). Defaults to 32.</summary>
    public int TextLength { get; init; } = 32;

    /// <summary>How <see cref="TextEncoding.TokenIds"/> splits text into ids (not used by bag of words). Defaults to <see cref="TextTokenization.Characters"/>.</summary>
    public TextTokenization TextTokenization { get; init; } = TextTokenization.Characters;

    /// <summary>Largest BPE vocabulary (characters plus learned merges) for <see cref="TextTokenization.Bpe"/>. Defaults to 1,000.</summary>
    public int BpeVocabularySize { get; init; } = 1000;

    /// <summary>How missing cells are recognized and kinds inferred. Defaults to <see cref="SchemaInferenceOptions.Default"/>.</summary>
    public SchemaInferenceOptions Inference { get; init; } = SchemaInferenceOptions.Default;
}
