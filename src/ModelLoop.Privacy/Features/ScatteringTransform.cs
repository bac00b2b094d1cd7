using ModelLoop.Data;
using ModelLoop.Modeling;
using static TorchSharp.torch;

namespace ModelLoop.Privacy.Features;

/// <summary>
/// The 2-D wavelet scattering transform (Mallat 2012; Bruna &amp; Mallat 2013) to order 2: fixed, translation-stable
/// image features. Tramèr &amp; Boneh 2021 ("Differentially Private Learning Needs Better Features") show that a linear
/// model on them beats end-to-end CNNs under DP-SGD: the features cost no privacy (no parameters are learned) and the
/// private model is small. Written here because no .NET library computes it (Kymatio, the reference, is Python); the
/// filters and layout follow Kymatio's definitions, computed with libtorch's FFTs.
/// For an image x (H, W), scale J and L orientations, with Morlet wavelets ψ_{j,θ} (j &lt; J) and a Gaussian low-pass φ_J,
/// all convolutions circular on the image reflect-padded by 2^J on each side, and ↓ subsampling by 2^J:
///   S0 = (x ⋆ φ_J)↓,  S1[j1,θ1] = (|x ⋆ ψ_{j1,θ1}| ⋆ φ_J)↓,  S2[j1,θ1,j2,θ2] = (||x ⋆ ψ_{j1,θ1}| ⋆ ψ_{j2,θ2}| ⋆ φ_J)↓ for j2 &gt; j1,
/// cropped back to the image: (H/2^J, W/2^J) each. Channels per input channel: 1 + J·L + L²·J(J−1)/2 (81 for J = 2,
/// L = 8), in that order (S1 by j1 then θ1; S2 by j1, θ1, j2, θ2). Intermediate maps are kept at full resolution
/// (Kymatio subsamples |x ⋆ ψ_{j1}| by 2^j1 first), so the outputs match Kymatio's up to that aliasing.
/// </summary>
public sealed class ScatteringTransform : IDisposable
{
    private readonly Tensor _phi;          // (P, Q) real, Fourier domain
    private readonly Tensor[] _psi;        // J of (L, P, Q) real, Fourier domain
    private readonly int _pad;

    /// <param name="height">Image height H; a multiple of 2^J.</param>
    /// <param name="width">Image width W; a multiple of 2^J.</param>
    /// <param name="scales">J: the number of wavelet scales; the output is subsampled by 2^J. Defaults to 2.</param>
    /// <param name="orientations">L: wavelet orientations in [0, π). Defaults to 8.</param>
    public ScatteringTransform(int height, int width, int scales = 2, int orientations = 8)
    {
        if (scales < 1 || scales > 6)
            throw new ArgumentOutOfRangeException(nameof(scales), scales, $"scales (J) must be in 1..6; received {scales}. What to do: pass 2 for 28×28 images (Tramèr & Boneh's choice).");
        if (orientations < 1)
            throw new ArgumentOutOfRangeException(nameof(orientations), orientations, $"orientations (L) must be ≥ 1; received {orientations}. What to do: pass 8.");
        var step = 1 << scales;
        if (height < step || width < step || height % step != 0 || width % step != 0)
            throw new ArgumentException($"The scattering transform subsamples by 2^J = {step}, so the image's height and width must be positive multiples of {step}; received {height}×{width}. What to do: pad or crop the images, or lower scales.");
        Height = height;
        Width = width;
        Scales = scales;
        Orientations = orientations;
        _pad = step;
        int p = height + 2 * step, q = width + 2 * step;
        _phi = MorletFilters.LowPass(p, q, scales);
        _psi = [.. Enumerable.Range(0, scales).Select(j => MorletFilters.Wavelets(p, q, j, orientations))];
    }

    public int Height { get; }
    public int Width { get; }

    /// <summary>J.</summary>
    public int Scales { get; }

    /// <summary>L.</summary>
    public int Orientations { get; }

    /// <summary>Output channels per input channel: 1 + J·L + L²·J(J−1)/2.</summary>
    public int ChannelsPerInput => 1 + Scales * Orientations + Orientations * Orientations * Scales * (Scales - 1) / 2;

    /// <summary>The output's shape for <paramref name="inputChannels"/> input channels: (C·<see cref="ChannelsPerInput"/>, H/2^J, W/2^J).</summary>
    public Shape OutputShape(int inputChannels = 1) => new(inputChannels * ChannelsPerInput, Height >> Scales, Width >> Scales);

    /// <summary>Scattering coefficients of images (B, C, H, W) → (B, C·K, H/2^J, W/2^J), K = <see cref="ChannelsPerInput"/>.</summary>
    public Tensor Transform(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[2] != Height || images.shape[3] != Width)
            throw new ArgumentException($"The scattering transform expects images (B, C, {Height}, {Width}); received shape ({string.Join(", ", images.shape)}). What to do: build it for your image size.", nameof(images));
        using var scope = NewDisposeScope();
        long b = images.shape[0], c = images.shape[1];
        var x = images.to(float32).reshape(b * c, 1, Height, Width);
        // Reflect padding so the circular convolutions do not wrap one border onto the other: (N, 1, P, Q).
        x = nn.functional.pad(x, [_pad, _pad, _pad, _pad], TorchSharp.PaddingModes.Reflect).squeeze(1);
        var xf = fft.fft2(x);                                                      // (N, P, Q) complex
        var outputs = new List<Tensor> { LowPassSubsampled(xf.unsqueeze(1)) };   // S0: (N, 1, h, w)
        var first = new List<Tensor>(Scales);
        for (var j1 = 0; j1 < Scales; j1++)
        {
            var u1 = fft.ifft2(xf.unsqueeze(1) * _psi[j1]).abs();               // |x ⋆ ψ_{j1,θ1}|: (N, L, P, Q)
            first.Add(fft.fft2(u1));
            outputs.Add(LowPassSubsampled(first[j1]));                           // S1: (N, L, h, w)
        }
        for (var j1 = 0; j1 < Scales; j1++)
            for (var j2 = j1 + 1; j2 < Scales; j2++)
            {
                // (N, L1, 1, P, Q) × (L2, P, Q) → (N, L1, L2, P, Q): every first-order map against every orientation at j2.
                var u2 = fft.ifft2(first[j1].unsqueeze(2) * _psi[j2]).abs();
                var s2 = LowPassSubsampled(fft.fft2(u2).flatten(1, 2));           // S2: (N, L1·L2, h, w)
                outputs.Add(s2);
            }
        var result = cat(outputs, 1);                                            // (N, K, h, w)
        return result.reshape(b, c * ChannelsPerInput, Height >> Scales, Width >> Scales).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A dataset of scattering features (N, C·K, H/2^J, W/2^J) with the same labels, computed in batches of
    /// <paramref name="batchSize"/> images. Defaults to 512.
    /// </summary>
    public TensorDataset Transform(TensorDataset images, int batchSize = 512)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var parts = new List<Tensor>();
        using (no_grad())
        {
            for (long start = 0; start < images.Count; start += batchSize)
            {
                using var batch = images.Features.narrow(0, start, Math.Min(batchSize, images.Count - start));
                parts.Add(Transform(batch));
            }
        }
        var features = cat(parts, 0);
        foreach (var part in parts)
            part.Dispose();
        return new TensorDataset(features, images.Labels.clone());
    }

    /// <summary>
    /// (y ⋆ φ_J)↓2^J cropped to the image, from ŷ (N, K, P, Q): subsampling in space is folding (aliasing) the
    /// spectrum onto a (P/2^J, Q/2^J) grid, so only that small inverse FFT is computed. Returns (N, K, h, w).
    /// </summary>
    private Tensor LowPassSubsampled(Tensor spectrum)
    {
        long n = spectrum.shape[0], k = spectrum.shape[1], p = spectrum.shape[2], q = spectrum.shape[3];
        var step = 1L << Scales;
        var filtered = spectrum * _phi;
        // Frequency index f = a·(P/s) + f' for a < s: summing over a gives the spectrum of the subsampled signal (× s²).
        var folded = filtered.reshape(n, k, step, p / step, step, q / step).sum([2, 4]);
        var sub = fft.ifft2(folded).real / (step * step);                        // (N, K, P/s, Q/s)
        // The padding of 2^J pixels is one subsampled pixel on each side.
        return sub[.., .., 1..(int)(p / step - 1), 1..(int)(q / step - 1)];
    }

    public void Dispose()
    {
        _phi.Dispose();
        foreach (var psi in _psi)
            psi.Dispose();
    }
}
