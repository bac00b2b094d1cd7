using SkiaSharp;
using static TorchSharp.torch;

namespace ModelLoop.Demo;

/// <summary>Grayscale images in [0, 1] as PNG files, as a client would upload them (8-bit, so what the server decodes is what a camera would send).</summary>
public static class PngImages
{
    /// <summary>One PNG per image of a (N, 1, H, W) batch in [0, 1].</summary>
    /// <exception cref="ArgumentException">Not a one-channel float batch.</exception>
    public static byte[][] Encode(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[1] != 1 || !images.is_floating_point())
            throw new ArgumentException($"Expected grayscale images (N, 1, H, W) in [0, 1]; received {images.dtype} of shape [{string.Join(", ", images.shape)}].", nameof(images));
        var (count, height, width) = ((int)images.shape[0], (int)images.shape[2], (int)images.shape[3]);
        using var bytes = images.clamp(0, 1).mul(255).round().to(ScalarType.Byte).cpu();
        var pixels = bytes.data<byte>().ToArray();
        var result = new byte[count][];
        var info = new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque);
        for (var i = 0; i < count; i++)
        {
            using var bitmap = new SKBitmap(info);
            System.Runtime.InteropServices.Marshal.Copy(pixels, i * width * height, bitmap.GetPixels(), width * height);
            using var image = SKImage.FromBitmap(bitmap);
            using var data = image.Encode(SKEncodedImageFormat.Png, 100);
            result[i] = data.ToArray();
        }
        return result;
    }
}
