namespace ModelLoop.Privacy.PerSample;

/// <summary>How a convolution's per-sample gradient norms are computed (all agree to rounding).</summary>
internal enum ConvolutionNormMethod
{
    /// <summary>Ghost norms from Gram matrices of unfolded patches and backprops; the clipped sum is another pass.</summary>
    Ghost,

    /// <summary>Per-sample gradients materialised by one grouped convolution (batch as groups).</summary>
    GroupedConvolution,

    /// <summary>Per-sample gradients materialised by unfold (im2col) and a batched matmul.</summary>
    Unfold,
}
