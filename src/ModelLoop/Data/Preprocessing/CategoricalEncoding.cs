namespace ModelLoop.Data.Preprocessing;

/// <summary>How a categorical column becomes numbers. Categories are the training set's, sorted ordinally; <see cref="UnknownCategoryPolicy"/> says what any other category becomes.</summary>
public enum CategoricalEncoding
{
    /// <summary>One 0/1 feature per training category (plus the infrequent bucket under <see cref="UnknownCategoryPolicy.Infrequent"/>). The default.</summary>
    OneHot,
    /// <summary>One feature: the category's index in the sorted training categories (the bucket after them under <see cref="UnknownCategoryPolicy.Infrequent"/>).</summary>
    Ordinal,
}
