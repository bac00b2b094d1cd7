namespace ModelLoop.Language.Adapters;

/// <summary>
/// An adapter was applied to (or merged into) a model other than the base it was trained on: its weights would be
/// meaningless there. Carries both identities so a caller can say which base the adapter needs.
/// </summary>
public sealed class LoraBaseMismatchException : ArgumentException
{
    public LoraBaseMismatchException(string expectedChecksum, string actualChecksum, string? baseName)
        : base($"This LoRA adapter was trained on the base model with weights checksum {expectedChecksum}{(baseName is null ? "" : $" ('{baseName}')")} " +
               $"but the model it is applied to has checksum {actualChecksum}. An adapter only fits the exact weights it was trained on. " +
               "What to do: load the adapter's base model (the one named above), or fine-tune a new adapter on this model.")
    {
        ExpectedChecksum = expectedChecksum;
        ActualChecksum = actualChecksum;
    }

    /// <summary>The checksum of the base the adapter was trained on.</summary>
    public string ExpectedChecksum { get; }

    /// <summary>The checksum of the model it was applied to.</summary>
    public string ActualChecksum { get; }
}
