using ModelLoop.Native;
using static TorchSharp.torch;

namespace ModelLoop.Data;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 60,000 training and 10,000 test 28×28 grey images of
/// clothing in 10 classes, as four IDX files (raw or .gz). Debian ships them in dataset-fashion-mnist.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's dataset-fashion-mnist package installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The ten class names, indexed by label (0 = "T-shirt/top" … 9 = "Ankle boot").</summary>
    public static readonly string[] ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// Loads the training and test sets: features float32 (N, 1, 28, 28) scaled to [0, 1], labels int64 (N).
    /// </summary>
    /// <param name="directory">Folder with the four IDX files. Defaults to <see cref="DefaultDirectory"/>.</param>
    /// <param name="trainLimit">Keep only the first N training samples. Defaults to all.</param>
    /// <param name="testLimit">Keep only the first N test samples. Defaults to all.</param>
    /// <exception cref="FileNotFoundException">The folder or one of the four files is missing; the message says how to install them.</exception>
    /// <exception cref="InvalidDataException">A file is not a valid IDX file, images are not 28×28, or image and label counts differ.</exception>
    public static (TensorDataset Train, TensorDataset Test) Load(string? directory = null, int? trainLimit = null, int? testLimit = null)
    {
        if (trainLimit is < 1)
            throw new ArgumentOutOfRangeException(nameof(trainLimit), trainLimit, $"trainLimit must be at least 1 (or null for all samples); received {trainLimit}.");
        if (testLimit is < 1)
            throw new ArgumentOutOfRangeException(nameof(testLimit), testLimit, $"testLimit must be at least 1 (or null for all samples); received {testLimit}.");
        directory ??= DefaultDirectory;
        if (!Directory.Exists(directory))
            throw new FileNotFoundException(
                $"Fashion-MNIST folder '{directory}' does not exist. Install it with `sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), " +
                "or pass a folder holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (raw or .gz).",
                directory);
        TorchRuntime.EnsureLoaded();
        var train = LoadSplit(directory, "train", trainLimit);
        try
        {
            return (train, LoadSplit(directory, "t10k", testLimit));
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    private const int Side = 28;

    private static TensorDataset LoadSplit(string directory, string prefix, int? limit)
    {
        var imagesPath = Find(directory, $"{prefix}-images-idx3-ubyte");
        var labelsPath = Find(directory, $"{prefix}-labels-idx1-ubyte");
        using var scope = NewDisposeScope();
        // Each file is decompressed straight into a uint8 tensor (N, 28, 28) / (N): no per-pixel managed code.
        var images = IdxReader.ReadTensor(imagesPath);
        var labels = IdxReader.ReadTensor(labelsPath);
        if (images.dim() != 3 || images.shape[1] != Side || images.shape[2] != Side)
            throw new InvalidDataException($"'{imagesPath}' has shape {string.Join("×", images.shape)}; expected Fashion-MNIST images N×28×28.");
        if (labels.dim() != 1)
            throw new InvalidDataException($"'{labelsPath}' has shape {string.Join("×", labels.shape)}; expected one label per image (N).");
        if (images.shape[0] != labels.shape[0])
            throw new InvalidDataException($"'{imagesPath}' holds {images.shape[0]:N0} images but '{labelsPath}' holds {labels.shape[0]:N0} labels; they must match. Re-install or re-download the pair.");
        var count = Math.Min(images.shape[0], limit ?? long.MaxValue);
        var badLabel = labels.bytes[..(int)count].IndexOfAnyInRange((byte)ClassNames.Length, byte.MaxValue);
        if (badLabel >= 0)
            throw new InvalidDataException($"'{labelsPath}' holds label {labels.bytes[badLabel]} at byte {8 + badLabel} (sample {badLabel}); Fashion-MNIST labels are 0–9.");

        // One vectorized conversion (N, 28, 28) uint8 → (N, 1, 28, 28) float32 in [0, 1], into memory allocated
        // with huge pages (see HugePages: page faults would otherwise cost more than the conversion).
        var features = empty([count, 1, Side, Side], ScalarType.Float32);
        HugePages.Advise(features);
        features.copy_(images.narrow(0, 0, count).unsqueeze(1)).div_(255f);
        var labelTensor = labels.narrow(0, 0, count).to(ScalarType.Int64);
        return new TensorDataset(features.MoveToOuterDisposeScope(), labelTensor.MoveToOuterDisposeScope());
    }

    private static string Find(string directory, string name)
    {
        foreach (var candidate in new[] { name, name + ".gz" })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path))
                return path;
        }
        throw new FileNotFoundException(
            $"'{directory}' has no {name} or {name}.gz. Install Fashion-MNIST with `sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or pass a directory holding the four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; raw or .gz).",
            Path.Combine(directory, name));
    }
}
