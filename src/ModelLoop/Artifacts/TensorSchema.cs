namespace ModelLoop.Artifacts;

/// <summary>
/// What one model input or output looks like, per sample: its shape (without the batch dimension), its
/// dtype as a safetensors name ("F32", "I64") and, optionally, names for the last dimension (feature or
/// class names) so a server can validate and label requests.
/// </summary>
public sealed record TensorSchema(long[] Shape, string DType, IReadOnlyList<string>? Names = null)
{
    public override string ToString() => $"{DType}({string.Join(", ", Shape)})";
}
