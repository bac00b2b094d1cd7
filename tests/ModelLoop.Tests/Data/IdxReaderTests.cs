using ModelLoop.Data;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly IdxFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadingAFileReturnsTheShapeAndBytesThatWereWritten(bool gzip)
    {
        var data = IdxFiles.Counting(3 * 4 * 5);
        var path = _files.WriteIdx("cube-idx3-ubyte", [3, 4, 5], data, gzip);

        var (shape, read) = IdxReader.Read(path);

        Assert.Equal([3L, 4, 5], shape);
        Assert.Equal(data, read);
    }

    [Fact]
    public void GzipIsDetectedByItsMagicBytesNotByTheFileName()
    {
        var data = IdxFiles.Counting(10);
        var gzippedWithoutExtension = _files.WriteIdx("labels-idx1-ubyte", [10], data, gzip: true);
        var rawWithGzExtension = _files.WriteIdx("other-idx1-ubyte.gz", [10], data, gzip: false);

        Assert.Equal(data, IdxReader.Read(gzippedWithoutExtension).Data);
        Assert.Equal(data, IdxReader.Read(rawWithGzExtension).Data);
    }

    [Fact]
    public void ReadTensorReturnsAUInt8TensorOfTheDeclaredShape()
    {
        var path = _files.WriteIdx("images-idx3-ubyte.gz", [2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255], gzip: true);

        using var tensor = IdxReader.ReadTensor(path);

        Assert.Equal(ScalarType.Byte, tensor.dtype);
        Assert.Equal([2L, 2, 3], tensor.shape);
        Assert.Equal(255, tensor[1, 1, 2].item<byte>());
        Assert.Equal(3, tensor[0, 1, 0].item<byte>());
    }

    [Fact]
    public void AFileThatIsNotIdxIsRejectedNamingTheFileAndTheBytesFound()
    {
        var path = _files.Write("notes.txt", "PK\u0003\u0004 not an idx file"u8.ToArray());

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("50 4B", error.Message);
        Assert.Contains("expected 00 00", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ATruncatedFileIsRejectedWithTheExpectedAndActualByteCounts(bool gzip)
    {
        var full = IdxFiles.Encode([10, 2, 2], IdxFiles.Counting(40)); // 16 header + 40 data = 56 bytes
        var path = _files.Write("short-idx3-ubyte", full[..30], gzip);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
        Assert.Contains("10×2×2", error.Message);
        Assert.Contains("56 bytes", error.Message);
        Assert.Contains("only 30", error.Message);
    }

    [Fact]
    public void AFileEndingInsideItsHeaderIsRejectedWithTheByteOffset()
    {
        var path = _files.Write("header-idx3-ubyte", IdxFiles.Encode([10, 28, 28], [])[..9]);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("byte 8", error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void AnUnsupportedElementTypeIsRejectedNamingTheTypeAndTheSupportedOne()
    {
        var path = _files.Write("floats-idx1-float", IdxFiles.Encode([1], [0, 0, 128, 63], elementType: 0x0D));

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("0x0D", error.Message);
        Assert.Contains("0x08", error.Message);
    }

    [Fact]
    public void ACorruptGzipStreamIsRejectedNamingTheFile()
    {
        var gzip = IdxFiles.Gzip(IdxFiles.Encode([100], IdxFiles.Counting(100)));
        for (var i = 10; i < gzip.Length - 8; i++)
            gzip[i] = 0xFF; // keep the 1F 8B header, destroy the deflate data
        var path = _files.Write("broken-idx1-ubyte.gz", gzip);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("corrupt gzip", error.Message);
    }

    [Fact]
    public void ReadTensorRejectsATruncatedFileLikeRead()
    {
        var path = _files.Write("short-idx1-ubyte.gz", IdxFiles.Encode([50], IdxFiles.Counting(50))[..20], gzip: true);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadTensor(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("58 bytes", error.Message);
        Assert.Contains("only 20", error.Message);
    }

    [Fact]
    public void AnEmptyFileIsRejectedAsTooShort()
    {
        var path = _files.Write("empty-idx1-ubyte", []);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("found 0", error.Message);
    }

    [Fact]
    public void AMissingFileThrowsFileNotFoundNamingIt()
    {
        var path = _files.PathOf("absent-idx1-ubyte");

        var error = Assert.Throws<FileNotFoundException>(() => IdxReader.Read(path));

        Assert.Equal(path, error.FileName);
        Assert.Contains(path, error.Message);
    }
}
