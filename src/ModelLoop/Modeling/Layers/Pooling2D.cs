using static TorchSharp.torch;

namespace ModelLoop.Modeling.Layers;

/// <summary>Max pooling over (channels, height, width).</summary>
/// <param name="PoolSize">Window side. Defaults to 2.</param>
/// <param name="Stride">Step between windows. Defaults to <paramref name="PoolSize"/>.</param>
public sealed record MaxPool2D(int PoolSize = 2, int? Stride = null) : Layer
{
    internal override LayerBuild Build(Shape input, string name)
    {
        var (stride, output) = Pooling.Output(this, input, name, PoolSize, Stride);
        return new(nn.MaxPool2d(PoolSize, stride), output);
    }
}

/// <summary>Average pooling over (channels, height, width).</summary>
/// <param name="PoolSize">Window side. Defaults to 2.</param>
/// <param name="Stride">Step between windows. Defaults to <paramref name="PoolSize"/>.</param>
public sealed record AvgPool2D(int PoolSize = 2, int? Stride = null) : Layer
{
    internal override LayerBuild Build(Shape input, string name)
    {
        var (stride, output) = Pooling.Output(this, input, name, PoolSize, Stride);
        return new(nn.AvgPool2d(PoolSize, stride), output);
    }
}

/// <summary>Averages each channel over height and width: (C, H, W) → (C).</summary>
public sealed record GlobalAvgPool2D : Layer
{
    internal override LayerBuild Build(Shape input, string name)
    {
        if (input.Rank != 3)
            throw new ModelBuildException($"Layer '{name}' (GlobalAvgPool2D) expects (channels, height, width); received input shape {input}.");
        return new(nn.Sequential(("pool", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten())), new Shape(input[0]));
    }
}

internal static class Pooling
{
    public static (long Stride, Shape Output) Output(Layer layer, Shape input, string name, int pool, int? strideOrNull)
    {
        var type = layer.GetType().Name;
        var stride = strideOrNull ?? pool;
        if (pool < 1 || stride < 1)
            throw new ModelBuildException($"Layer '{name}' ({type}): PoolSize and Stride must be positive; received PoolSize={pool}, Stride={stride}.");
        if (input.Rank != 3)
            throw new ModelBuildException($"Layer '{name}' ({type}) expects (channels, height, width); received input shape {input}.");
        if (input[1] < pool || input[2] < pool)
            throw new ModelBuildException($"Layer '{name}' ({type}) expects height and width of at least {pool} (the pool size); received input shape {input}. Remove a pooling layer or use Padding.Same in the convolutions before it.");
        return (stride, new Shape(input[0], (input[1] - pool) / stride + 1, (input[2] - pool) / stride + 1));
    }
}
