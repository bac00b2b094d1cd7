using ModelLoop.Data;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Data;

public sealed class FashionMnistTests : IDisposable
{
    private const int Pixels = 28 * 28;
    private readonly IdxFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>Image i has every pixel equal to 50·i (so 0, 50, 100, …); label i is i mod 10.</summary>
    private void WriteSplit(string prefix, int images, int labels, bool gzip)
    {
        var pixels = Enumerable.Range(0, images).SelectMany(i => Enumerable.Repeat((byte)(50 * i % 256), Pixels)).ToArray();
        var classes = Enumerable.Range(0, labels).Select(i => (byte)(i % 10)).ToArray();
        var suffix = gzip ? ".gz" : "";
        _files.WriteIdx($"{prefix}-images-idx3-ubyte{suffix}", [images, 28, 28], pixels, gzip);
        _files.WriteIdx($"{prefix}-labels-idx1-ubyte{suffix}", [labels], classes, gzip);
    }

    [Fact]
    public void LoadingGivesFloatImagesScaledToTheUnitIntervalAndInt64Labels()
    {
        WriteSplit("train", 6, 6, gzip: true);
        WriteSplit("t10k", 3, 3, gzip: false);

        var (train, test) = FashionMnist.Load(_files.Folder);
        using (train)
        using (test)
        {
            Assert.Equal([6L, 1, 28, 28], train.Features.shape);
            Assert.Equal([3L, 1, 28, 28], test.Features.shape);
            Assert.Equal(ScalarType.Float32, train.Features.dtype);
            Assert.Equal(ScalarType.Int64, train.Labels.dtype);
            Assert.Equal([6L], train.Labels.shape);
            Assert.Equal([0L, 1, 2, 3, 4, 5], train.Labels.data<long>().ToArray());
            Assert.Equal(0f, train.Features[0].max().item<float>());
            Assert.Equal(250f / 255f, train.Features[5].min().item<float>(), 6);
            Assert.Equal(100f / 255f, test.Features[2, 0, 27, 27].item<float>(), 6);
        }
    }

    [Fact]
    public void LimitsKeepTheFirstSamplesOfEachSplit()
    {
        WriteSplit("train", 6, 6, gzip: false);
        WriteSplit("t10k", 4, 4, gzip: true);

        var (train, test) = FashionMnist.Load(_files.Folder, trainLimit: 2, testLimit: 100);
        using (train)
        using (test)
        {
            Assert.Equal(2, train.Count);
            Assert.Equal(4, test.Count); // a limit above the count keeps everything
            Assert.Equal([0L, 1], train.Labels.data<long>().ToArray());
            Assert.Equal(50f / 255f, train.Features[1].mean().item<float>(), 6);
        }
    }

    [Fact]
    public void DifferentImageAndLabelCountsAreAnErrorNamingBothFilesAndCounts()
    {
        WriteSplit("train", 5, 4, gzip: false);
        WriteSplit("t10k", 2, 2, gzip: false);

        var error = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_files.Folder));

        Assert.Contains("train-images-idx3-ubyte", error.Message);
        Assert.Contains("train-labels-idx1-ubyte", error.Message);
        Assert.Contains("5 images", error.Message);
        Assert.Contains("4 labels", error.Message);
    }

    [Fact]
    public void AMissingFolderSaysHowToInstallTheDataset()
    {
        var folder = _files.PathOf("nowhere");

        var error = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(folder));

        Assert.Contains(folder, error.Message);
        Assert.Contains("sudo apt-get install dataset-fashion-mnist", error.Message);
    }

    [Fact]
    public void AMissingFileIsNamedWithTheInstallHint()
    {
        WriteSplit("train", 2, 2, gzip: true);

        var error = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(_files.Folder));

        Assert.Contains("t10k-images-idx3-ubyte", error.Message);
        Assert.Contains("sudo apt-get install dataset-fashion-mnist", error.Message);
    }

    [Fact]
    public void ImagesThatAreNot28By28AreRejected()
    {
        _files.WriteIdx("train-images-idx3-ubyte", [2, 4, 4], new byte[32]);
        _files.WriteIdx("train-labels-idx1-ubyte", [2], [0, 1]);
        WriteSplit("t10k", 1, 1, gzip: false);

        var error = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_files.Folder));

        Assert.Contains("2×4×4", error.Message);
        Assert.Contains("N×28×28", error.Message);
    }

    [Fact]
    public void ALabelOutsideTheTenClassesIsRejectedWithItsByteOffset()
    {
        WriteSplit("train", 2, 2, gzip: false);
        _files.WriteIdx("train-labels-idx1-ubyte", [2], [3, 10]);
        WriteSplit("t10k", 1, 1, gzip: false);

        var error = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_files.Folder));

        Assert.Contains("label 10", error.Message);
        Assert.Contains("byte 9", error.Message);
    }

    [Fact]
    public void ALimitBelowOneIsRejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => FashionMnist.Load(_files.Folder, trainLimit: 0));

        Assert.Equal("trainLimit", error.ParamName);
    }

    [Fact]
    public void TheInstalledDatasetHasSixtyThousandTrainingAndTenThousandTestImages()
    {
        // ./build.sh test installs Debian's dataset-fashion-mnist; a machine without it must fail here, not pass silently.
        if (!File.Exists(Path.Combine(FashionMnist.DefaultDirectory, "train-images-idx3-ubyte.gz")))
            Assert.Fail($"{FashionMnist.DefaultDirectory} has no train-images-idx3-ubyte.gz: this test checks the installed dataset. Install it with `apt-get install dataset-fashion-mnist` (./build.sh test does).");

        var (train, test) = FashionMnist.Load();
        using (train)
        using (test)
        {
            Assert.Equal([60_000L, 1, 28, 28], train.Features.shape);
            Assert.Equal([10_000L, 1, 28, 28], test.Features.shape);
            using var counts = bincount(test.Labels);
            Assert.All(counts.data<long>().ToArray(), c => Assert.Equal(1_000, c)); // balanced: 1,000 per class
            Assert.InRange(train.Features.max().item<float>(), 0.99f, 1f);
            Assert.Equal(10, FashionMnist.ClassNames.Length);
        }
    }
}
