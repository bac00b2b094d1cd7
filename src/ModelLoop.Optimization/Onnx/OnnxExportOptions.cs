namespace ModelLoop.Optimization.Onnx;

/// <summary>How <see cref="OnnxExporter"/> writes a model.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The only opset the exporter writes (LayerNormalization needs ≥ 17; Debian's onnx 1.12 checker knows ≤ 17).</summary>
    public const int SupportedOpset = 17;

    /// <summary>ONNX opset of the default domain. Defaults to 17, the only value accepted.</summary>
    public int Opset { get; init; } = SupportedOpset;

    /// <summary>Whether the batch dimension is symbolic ("N"), so any batch size runs. Defaults to true.</summary>
    public bool DynamicBatch { get; init; } = true;

    /// <summary>The fixed batch size written when <see cref="DynamicBatch"/> is false. Must be positive. Defaults to 1.</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>Name of the graph input. Defaults to "input".</summary>
    public string InputName { get; init; } = "input";

    /// <summary>Name of the graph output. Defaults to "output".</summary>
    public string OutputName { get; init; } = "output";

    /// <summary>
    /// When set, a second graph output of this name holds the penultimate representation — the input of the last layer
    /// with parameters, flattened to (N, D) — as <c>Model.ForwardWithEmbedding</c> returns it (drift monitoring reads it).
    /// Defaults to null (no second output).
    /// </summary>
    public string? EmbeddingOutputName { get; init; }

    /// <summary>The producer_name written in the model. Defaults to "ModelLoop".</summary>
    public string Producer { get; init; } = "ModelLoop";

    /// <summary>Throws when an option is out of range, naming it and what is allowed.</summary>
    internal void Validate()
    {
        if (Opset != SupportedOpset)
            throw new ArgumentException($"OnnxExportOptions.Opset must be {SupportedOpset}; received Opset={Opset}. The exporter writes opset-{SupportedOpset} operators only.", nameof(Opset));
        if (!DynamicBatch && BatchSize < 1)
            throw new ArgumentException($"OnnxExportOptions.BatchSize must be positive when DynamicBatch is false; received BatchSize={BatchSize}.", nameof(BatchSize));
        if (string.IsNullOrWhiteSpace(InputName) || string.IsNullOrWhiteSpace(OutputName) || InputName == OutputName)
            throw new ArgumentException($"OnnxExportOptions.InputName and OutputName must be non-empty and different; received InputName='{InputName}', OutputName='{OutputName}'.", nameof(InputName));
        if (EmbeddingOutputName is { } embedding && (string.IsNullOrWhiteSpace(embedding) || embedding == InputName || embedding == OutputName))
            throw new ArgumentException($"OnnxExportOptions.EmbeddingOutputName must be non-empty and differ from InputName and OutputName; received '{embedding}'.", nameof(EmbeddingOutputName));
    }
}
