namespace ModelLoop.Modeling;

/// <summary>
/// The shape of one sample, without the batch dimension, in PyTorch order: images are (channels, height,
/// width), sequences are (time, features). Compares by value.
/// </summary>
public sealed class Shape : IEquatable<Shape>
{
    private readonly long[] _dims;

    public Shape(params long[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        foreach (var d in dims)
        {
            if (d < 1)
                throw new ArgumentException($"Every dimension of a shape must be at least 1; received ({string.Join(", ", dims)}).", nameof(dims));
        }
        _dims = (long[])dims.Clone();
    }

    public IReadOnlyList<long> Dims => _dims;
    public int Rank => _dims.Length;
    public long this[int index] => _dims[index < 0 ? _dims.Length + index : index];
    public long Elements => _dims.Aggregate(1L, (a, b) => a * b);

    /// <summary>The dims with a leading batch dimension, for building tensors.</summary>
    public long[] WithBatch(long batch) => [batch, .. _dims];

    public long[] ToArray() => (long[])_dims.Clone();

    public bool Equals(Shape? other) => other is not null && _dims.AsSpan().SequenceEqual(other._dims);
    public override bool Equals(object? obj) => Equals(obj as Shape);
    public override int GetHashCode() => _dims.Aggregate(17, (h, d) => h * 31 + d.GetHashCode());
    public override string ToString() => "(" + string.Join(", ", _dims) + ")";
}
