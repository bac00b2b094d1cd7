namespace ModelLoop.Language.Interop;

/// <summary>A tensor present in a weights file whose shape is not the one the model needs (shapes in the file's layout).</summary>
public sealed record TensorShapeMismatch(string Name, IReadOnlyList<long> Expected, IReadOnlyList<long> Found)
{
    public override string ToString() => $"{Name}: expected [{string.Join(", ", Expected)}], found [{string.Join(", ", Found)}]";
}
