using ModelLoop.Native;
using SkiaSharp;
using static TorchSharp.torch;

namespace ModelLoop.Data.Readers;

/// <summary>
/// Loads an image-classification folder: <c>root/&lt;class&gt;/*.png|jpg|jpeg|bmp|gif|webp</c>, classes in ordinal
/// order of the sub-folder names (label = index). Decoding is SkiaSharp's (the native library comes with ScottPlot's
/// SkiaSharp.NativeAssets.Linux.NoDependencies); images of another size are resized with linear filtering.
/// </summary>
public static class ImageFolder
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>Loads every image as float32 (N, C, height, width) in [0, 1] (C = 1 grey, 3 RGB) with int64 labels (N).</summary>
    /// <param name="root">The folder holding one sub-folder per class.</param>
    /// <param name="height">Output height in pixels.</param>
    /// <param name="width">Output width in pixels.</param>
    /// <param name="grayscale">One luminance channel instead of RGB. Defaults to false.</param>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    /// <exception cref="InvalidDataException">No class folders or no images, or a file that cannot be decoded (named).</exception>
    public static ImageFolderDataset Load(string root, int height, int width, bool grayscale = false)
    {
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"Image folder '{root}' does not exist; expected root/<class>/<image files>.");
        if (height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(height), $"Image size must be positive; received {height}×{width}.");
        var classes = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        if (classes.Length == 0)
            throw new InvalidDataException($"'{root}' has no sub-folders; expected one sub-folder per class (root/cat/1.png, root/dog/2.png…).");
        var files = new List<(string Path, int Label)>();
        for (var label = 0; label < classes.Length; label++)
            files.AddRange(Directory.EnumerateFiles(Path.Combine(root, classes[label]), "*", SearchOption.AllDirectories)
                .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .Order(StringComparer.Ordinal).Select(f => (f, label)));
        if (files.Count == 0)
            throw new InvalidDataException($"'{root}' has class folders ({string.Join(", ", classes)}) but no images ({string.Join(", ", Extensions)}).");

        var channels = grayscale ? 1 : 3;
        var plane = height * width;
        var pixels = new byte[(long)files.Count * channels * plane];
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        for (var i = 0; i < files.Count; i++)
        {
            using var decoded = SKBitmap.Decode(files[i].Path)
                ?? throw new InvalidDataException($"'{files[i].Path}' could not be decoded as an image; expected a valid PNG, JPEG, BMP, GIF or WebP file. Remove or replace it.");
            using var bitmap = decoded.Width == width && decoded.Height == height && decoded.ColorType == SKColorType.Rgba8888
                ? decoded.Copy() : Resize(decoded, info, files[i].Path);
            var rgba = bitmap.GetPixelSpan();
            var destination = pixels.AsSpan((int)((long)i * channels * plane), channels * plane);
            // RGBA interleaved (H, W, 4) → channels-first planes; grey uses ITU-R BT.601 luma.
            for (var p = 0; p < plane; p++)
            {
                var (r, g, b) = (rgba[4 * p], rgba[4 * p + 1], rgba[4 * p + 2]);
                if (grayscale)
                    destination[p] = (byte)Math.Round(0.299 * r + 0.587 * g + 0.114 * b);
                else
                    (destination[p], destination[plane + p], destination[2 * plane + p]) = (r, g, b);
            }
        }
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        var features = tensor(pixels, [files.Count, channels, height, width]).to(ScalarType.Float32).div_(255f);
        var labels = tensor(files.Select(f => (long)f.Label).ToArray());
        return new ImageFolderDataset(new TensorDataset(features.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope()), classes, files.Select(f => f.Path).ToArray());
    }

    private static SKBitmap Resize(SKBitmap source, SKImageInfo info, string path)
    {
        using var converted = source.ColorType == SKColorType.Rgba8888 ? null : source.Copy(SKColorType.Rgba8888);
        return (converted ?? source).Resize(info, new SKSamplingOptions(SKFilterMode.Linear))
            ?? throw new InvalidDataException($"'{path}' ({source.Width}×{source.Height}, {source.ColorType}) could not be resized to {info.Width}×{info.Height}.");
    }
}
