using ModelLoop.Data.Readers;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Data.Readers;

public sealed class CifarReaderTests : IDisposable
{
    private readonly IdxFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>Records whose pixel bytes encode (record, channel) so the layout can be checked.</summary>
    internal static byte[] Records(int count, params byte[][] labels)
    {
        var labelBytes = labels[0].Length;
        var bytes = new List<byte>();
        for (var r = 0; r < count; r++)
        {
            bytes.AddRange(labels[r]);
            for (var c = 0; c < 3; c++)
                bytes.AddRange(Enumerable.Repeat((byte)(10 * r + c), 1024));
        }
        Assert.Equal(count * (labelBytes + 3072), bytes.Count);
        return [.. bytes];
    }

    [Fact]
    public void Cifar10RecordsBecomeChannelsFirstImagesInZeroOneAndLabels()
    {
        var path = _files.Write("data_batch_1.bin", Records(2, [7], [3]));

        using var data = CifarReader.Read(path);

        Assert.Equal([2L, 3, 32, 32], data.Features.shape);
        Assert.Equal([7L, 3], data.Labels.data<long>().ToArray());
        Assert.Equal(12 / 255f, data.Features[1, 2, 31, 31].item<float>(), 6);
        Assert.Equal(1 / 255f, data.Features[0, 1, 0, 0].item<float>(), 6);
    }

    [Fact]
    public void Cifar100UsesTheFineOrCoarseLabelAsAskedAndBatchesConcatenate()
    {
        var a = _files.Write("a.bin", Records(1, [19, 99]));
        var b = _files.Write("b.bin", Records(1, [2, 40]));

        using var fine = CifarReader.Read([a, b], CifarVariant.Cifar100Fine);
        using var coarse = CifarReader.Read([a, b], CifarVariant.Cifar100Coarse);

        Assert.Equal([99L, 40], fine.Labels.data<long>().ToArray());
        Assert.Equal([19L, 2], coarse.Labels.data<long>().ToArray());
    }

    [Fact]
    public void ATruncatedFileIsAnErrorNamingTheOffsetOfTheIncompleteRecord()
    {
        var path = _files.Write("cut.bin", Records(2, [1], [2])[..5000]);

        var error = Assert.Throws<InvalidDataException>(() => CifarReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("record at byte 3,073 is cut short", error.Message);
    }

    [Fact]
    public void ALabelOutOfRangeIsAnErrorNamingTheRecordAndByte()
    {
        var path = _files.Write("bad.bin", Records(2, [1], [10]));

        var error = Assert.Throws<InvalidDataException>(() => CifarReader.Read(path));

        Assert.Contains("record 1 (byte 3,073) has label 10", error.Message);
    }
}
