using static TorchSharp.torch;

namespace ModelLoop.Data.Loading;

/// <summary>One batch from <see cref="DataLoader"/>: features (B, …) and labels (B, …). The receiver owns and disposes it.</summary>
public sealed record Batch(Tensor Features, Tensor Labels) : IDisposable
{
    public long Count => Features.shape[0];

    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}
