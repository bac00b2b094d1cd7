namespace ModelLoop.Privacy.PerSample;

/// <summary>
/// A trainable layer DP-SGD cannot give per-sample gradients to (BatchNorm, which mixes the samples of a batch, or a
/// type without a per-sample formula). The message names the layer, its type and what to use instead.
/// </summary>
public sealed class UnsupportedLayerException : Exception
{
    public UnsupportedLayerException(string layerName, string layerType, string message) : base(message)
    {
        LayerName = layerName;
        LayerType = layerType;
    }

    /// <summary>The module's name in the network.</summary>
    public string LayerName { get; }

    /// <summary>The module's type (TorchSharp's name, e.g. BatchNorm2d).</summary>
    public string LayerType { get; }
}
