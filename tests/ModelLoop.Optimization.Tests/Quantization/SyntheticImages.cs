using ModelLoop.Tests.Data;

namespace ModelLoop.Optimization.Tests.Quantization;

/// <summary>
/// A small MNIST-style IDX folder (train-* and t10k-* images and labels, 28×28 grey): class c is a bright 4-pixel bar,
/// horizontal for even classes and vertical for odd ones, at a class-specific offset, on uniform noise — learnable
/// by the Keras CNN in a couple of epochs, so a quantized copy has an accuracy worth comparing.
/// </summary>
internal static class SyntheticImages
{
    public static string Write(string folder, int train = 800, int test = 300, int seed = 3)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        WriteSplit(folder, "train", train, random);
        WriteSplit(folder, "t10k", test, random);
        return folder;
    }

    private static void WriteSplit(string folder, string prefix, int count, Random random)
    {
        var pixels = new byte[count * 28 * 28];
        var labels = new byte[count];
        for (var n = 0; n < count; n++)
        {
            var label = n % 10;
            labels[n] = (byte)label;
            var image = pixels.AsSpan(n * 784, 784);
            for (var i = 0; i < 784; i++)
                image[i] = (byte)random.Next(0, 90);
            var offset = 3 + label / 2 * 4 + random.Next(-1, 2);
            for (var a = 4; a < 24; a++)
                for (var b = offset; b < offset + 4; b++)
                    image[label % 2 == 0 ? b * 28 + a : a * 28 + b] = (byte)random.Next(180, 256);
        }
        File.WriteAllBytes(Path.Combine(folder, $"{prefix}-images-idx3-ubyte"), IdxFiles.Encode([count, 28, 28], pixels));
        File.WriteAllBytes(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte"), IdxFiles.Encode([count], labels));
    }
}
