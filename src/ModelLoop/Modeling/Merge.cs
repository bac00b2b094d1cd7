namespace ModelLoop.Modeling;

/// <summary>How a graph node combines several inputs.</summary>
public enum Merge
{
    /// <summary>Element-wise sum; all inputs must have the same shape (skip connections).</summary>
    Add,
    /// <summary>Element-wise product; all inputs must have the same shape (gating).</summary>
    Multiply,
    /// <summary>Joined along the first per-sample dimension (channels for images, features for vectors); the other dimensions must match.</summary>
    Concatenate,
}
