using static TorchSharp.torch;

namespace ModelLoop.Data.Augmentation;

/// <summary>
/// Shared by rotation and translation: builds one 2×3 affine matrix per image and resamples with bilinear
/// interpolation (zeros outside), all images in one grid_sample call.
/// </summary>
public abstract class AffineAugmentation : Augmentation
{
    /// <summary>The (N, 2, 3) float32 matrices in normalized coordinates ([-1, 1] across the image).</summary>
    protected abstract Tensor Matrices(long count, Device device);

    public override Tensor Apply(Tensor batch)
    {
        CheckBatch(batch);
        using var scope = NewDisposeScope();
        var theta = Matrices(batch.shape[0], batch.device).to(batch.dtype);
        var grid = nn.functional.affine_grid(theta, batch.shape, align_corners: false);
        return nn.functional.grid_sample(batch, grid, align_corners: false).MoveToOuterDisposeScope();
    }
}
