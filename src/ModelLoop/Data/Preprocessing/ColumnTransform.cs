using System.Text.Json.Serialization;

namespace ModelLoop.Data.Preprocessing;

/// <summary>
/// The fitted transform of one input column into <see cref="Width"/> float features. Fitted values are plain
/// data (serialized by <see cref="PreprocessingPipeline.ToJson"/> with a "type" discriminator), so serving
/// rebuilds exactly what training fitted.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(NumericColumn), "numeric")]
[JsonDerivedType(typeof(CategoricalColumn), "categorical")]
[JsonDerivedType(typeof(TextColumn), "text")]
[JsonDerivedType(typeof(BpeTextColumn), "bpeText")]
[JsonDerivedType(typeof(BagOfWordsColumn), "bagOfWords")]
public abstract record ColumnTransform(string Name)
{
    /// <summary>How many features this column produces.</summary>
    [JsonIgnore]
    public abstract int Width { get; }

    /// <summary>
    /// True when the features are token ids (<see cref="TextColumn"/>, <see cref="BpeTextColumn"/>): names of tokens, not
    /// quantities, for an Embedding layer; a Dense layer would read them as magnitudes.
    /// </summary>
    [JsonIgnore]
    public virtual bool ProducesTokenIds => false;

    /// <summary>Names of the produced features, e.g. "color=red" for one-hot.</summary>
    public abstract IEnumerable<string> FeatureNames();

    /// <summary>Writes the features of one cell (null when missing) into <paramref name="destination"/> (length <see cref="Width"/>).</summary>
    /// <exception cref="FormatException">The cell cannot be read as this column's kind; the message names the column, the value and what was expected.</exception>
    public abstract void Encode(string? cell, Span<float> destination);

    /// <summary>What is wrong with fitted values read from JSON (null when they are usable): JSON can say anything.</summary>
    internal abstract string? Problem();
}
