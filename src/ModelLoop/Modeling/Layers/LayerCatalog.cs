namespace ModelLoop.Modeling.Layers;

/// <summary>
/// Every layer type a spec file may name, with the name it is written under ("type": "Conv2D"). A layer
/// type missing here cannot be saved in or read from a spec; add new layers to this list.
/// </summary>
internal static class LayerCatalog
{
    public static readonly IReadOnlyList<Type> Types =
    [
        typeof(Dense),
        typeof(Conv2D),
        typeof(MaxPool2D),
        typeof(AvgPool2D),
        typeof(GlobalAvgPool2D),
        typeof(Flatten),
        typeof(Reshape),
        typeof(Dropout),
        typeof(ActivationLayer),
        typeof(BatchNorm),
        typeof(Residual),
        typeof(LayerNorm),
        typeof(Embedding),
        typeof(Lstm),
        typeof(Gru),
        typeof(MultiHeadAttention),
        typeof(TransformerEncoderBlock),
        typeof(SequenceMeanPool),
        typeof(Gpt),
        typeof(GroupNorm),
    ];
}
