namespace ModelLoop.Data.Preprocessing;

/// <summary>How a categorical column becomes numbers. Categories are the training set's, sorted ordinally.</summary>
public enum CategoricalEncoding
{
    /// <summary>One 0/1 feature per training category; an unseen category is all zeros. The default.</summary>
    OneHot,
    /// <summary>One feature: the category's index in the sorted training categories; an unseen category is −1.</summary>
    Ordinal,
}
