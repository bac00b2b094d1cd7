using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace ModelLoop.Modeling.Layers;

/// <summary>
/// A layer description: serializable (JSON/YAML spec), immutable, and turned into a TorchSharp module by
/// <see cref="Build"/> once the shape of its input is known — so no in-features are ever computed by hand.
/// </summary>
public abstract record Layer
{
    /// <summary>Name shown in summaries and used as the parameter prefix. Defaults to "type_N".</summary>
    [JsonPropertyOrder(-1)]
    public string? Name { get; init; }

    /// <summary>Whether the layer reads integer token ids (Embedding, Gpt), so it must come first in a token-id model.</summary>
    internal virtual bool TakesTokenIds => false;

    /// <summary>Checks the input shape and creates the module. Errors name the layer and both shapes.</summary>
    internal abstract LayerBuild Build(Shape input, string name);

    /// <summary>Throws a <see cref="ModelBuildException"/> naming the layer, what it expects and what it received.</summary>
    protected ModelBuildException ShapeError(string name, Shape input, string expected, string? fix = null) =>
        new($"Layer '{name}' ({GetType().Name}) expects {expected}; received input shape {input}.{(fix is null ? "" : " " + fix)}");

    protected void RequirePositive(string name, string argument, double value)
    {
        if (!(value > 0))
            throw new ModelBuildException($"Layer '{name}' ({GetType().Name}): {argument} must be positive; received {argument}={value}.");
    }
}

/// <summary>The module a layer built and the shape of one sample it outputs.</summary>
internal readonly record struct LayerBuild(nn.Module<Tensor, Tensor> Module, Shape Output);
