using static TorchSharp.torch;

namespace ModelLoop.Modeling.Layers;

/// <summary>One row of a model summary.</summary>
/// <param name="Name">Layer name, e.g. "conv2d_1".</param>
/// <param name="Type">Layer type, e.g. "Conv2D".</param>
/// <param name="OutputShape">Shape of one sample after the layer.</param>
/// <param name="Parameters">Trainable and non-trainable parameter count.</param>
public sealed record LayerSummary(string Name, string Type, Shape OutputShape, long Parameters);

/// <summary>Gives layers Keras-style default names: conv2d_1, conv2d_2, dense_1…</summary>
internal sealed class LayerNames
{
    private readonly Dictionary<string, int> _counts = new();
    private readonly HashSet<string> _used = new();

    public string For(Layer layer) => For(layer.Name, layer.GetType().Name);

    /// <summary>The given name (checked unique) or the next "type_N".</summary>
    public string For(string? givenName, string typeName)
    {
        if (givenName is { } given)
        {
            if (!_used.Add(given))
                throw new ModelBuildException($"Two layers are named '{given}'. Layer names must be unique within a model; rename one or leave Name unset for an automatic name.");
            return given;
        }
        var type = typeName.ToLowerInvariant();
        string name;
        do
        {
            var n = _counts.GetValueOrDefault(type) + 1;
            _counts[type] = n;
            name = $"{type}_{n}";
        } while (!_used.Add(name));
        return name;
    }
}

internal static class LayerStack
{
    /// <summary>Builds the layers in order, inferring each input shape from the previous output.</summary>
    public static (nn.Module<Tensor, Tensor> Module, Shape Output, IReadOnlyList<LayerSummary> Rows) Build(
        IEnumerable<Layer> layers, Shape input, LayerNames names)
    {
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        var rows = new List<LayerSummary>();
        var shape = input;
        foreach (var layer in layers)
        {
            ArgumentNullException.ThrowIfNull(layer, nameof(layers));
            var name = names.For(layer);
            var built = layer.Build(shape, name);
            modules.Add((name, built.Module));
            rows.Add(new LayerSummary(name, layer.GetType().Name, built.Output,
                built.Module.parameters().Sum(p => p.numel()) + built.Module.buffers().Where(b => b.is_floating_point()).Sum(b => b.numel())));
            shape = built.Output;
        }
        return (nn.Sequential(modules), shape, rows);
    }
}
