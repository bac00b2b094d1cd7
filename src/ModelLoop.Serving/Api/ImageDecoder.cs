using SkiaSharp;

namespace ModelLoop.Serving.Api;

/// <summary>
/// Encoded images (PNG, JPEG, WebP, BMP, GIF — whatever SkiaSharp's codecs read) to a model's (C, H, W)
/// input in [0, 1]: C = 1 takes the luminance, C = 3 the RGB channels. The header is read before any
/// pixel so an image of the wrong size is refused without decoding it (no decompression bombs).
/// </summary>
internal static class ImageDecoder
{
    public static float[] Decode(byte[] encoded, string path, IReadOnlyList<long> shape)
    {
        if (shape.Count != 3 || shape[0] is not (1 or 3))
            throw new BadInputException($"{path} is an encoded image, but this model's input ({string.Join(", ", shape)}) is not an image of 1 or 3 channels; send \"inputs\" as arrays instead.");
        var (channels, height, width) = ((int)shape[0], (int)shape[1], (int)shape[2]);
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data);
        if (codec is null)
            throw new BadInputException($"{path} is neither {channels * height * width} raw pixel bytes nor an image SkiaSharp can read (PNG, JPEG, WebP, BMP, GIF); send one of those.");
        if (codec.Info.Width != width || codec.Info.Height != height)
            throw new BadInputException($"{path} is a {codec.Info.Width}×{codec.Info.Height} image; this model takes {width}×{height} (width×height). Resize it before sending.");
        var info = new SKImageInfo(width, height, channels == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
            throw new BadInputException($"{path} could not be decoded ({result}); send a complete, valid image file.");
        var pixels = bitmap.Bytes; // row-major (H, W, bytesPerPixel)
        var values = new float[channels * height * width];
        var stride = info.BytesPerPixel;
        for (var c = 0; c < channels; c++)
        {
            for (var i = 0; i < height * width; i++)
                values[c * height * width + i] = pixels[i * stride + c] / 255f; // (C, H, W), channels first
        }
        return values;
    }
}
