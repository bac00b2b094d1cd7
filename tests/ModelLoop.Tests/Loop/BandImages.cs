using ModelLoop.Tests.Data;
using SkiaSharp;

namespace ModelLoop.Tests.Loop;

/// <summary>
/// Tiny 28×28 grey image sets with one bright band per class (class k: rows 10k to 10k + 9), as MNIST-family IDX files
/// or as PNG class folders — and the same classes drawn as columns instead, a shifted look a model trained on rows gets
/// wrong. Shared by the loop tests and the retraining tests.
/// </summary>
internal static class BandImages
{
    public const int Classes = 3;

    /// <summary>The grey pixels (28 × 28, row-major) of class <paramref name="label"/>.</summary>
    public static byte[] Pixels(int label, bool columns = false) =>
        Enumerable.Range(0, 28 * 28).Select(p => (byte)((columns ? p % 28 : p / 28) / 10 == label ? 200 : 17)).ToArray();

    /// <summary>train-/t10k- IDX files of the row bands, labels 0, 1, 2, 0, …</summary>
    public static string IdxFolder(string folder, int train, int test)
    {
        Directory.CreateDirectory(folder);
        foreach (var (prefix, count) in new[] { ("train", train), ("t10k", test) })
        {
            var labels = Enumerable.Range(0, count).Select(i => (byte)(i % Classes)).ToArray();
            File.WriteAllBytes(Path.Combine(folder, $"{prefix}-images-idx3-ubyte"), IdxFiles.Encode([count, 28, 28], labels.SelectMany(l => Pixels(l)).ToArray()));
            File.WriteAllBytes(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte"), IdxFiles.Encode([count], labels));
        }
        return folder;
    }

    /// <summary>A class folder (root/0, root/1, root/2) of <paramref name="perClass"/> PNGs per class, named 000.png, 001.png, …</summary>
    public static string PngFolder(string root, int perClass, bool columns)
    {
        for (var label = 0; label < Classes; label++)
            for (var i = 0; i < perClass; i++)
                WritePng(Path.Combine(root, label.ToString(System.Globalization.CultureInfo.InvariantCulture)), $"{i:D3}.png", Pixels(label, columns));
        return root;
    }

    public static void WritePng(string folder, string name, byte[] grey)
    {
        Directory.CreateDirectory(folder);
        using var bitmap = new SKBitmap(new SKImageInfo(28, 28, SKColorType.Gray8, SKAlphaType.Opaque));
        grey.CopyTo(bitmap.GetPixelSpan());
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(Path.Combine(folder, name), data.ToArray());
    }
}
