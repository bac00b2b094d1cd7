using ModelLoop.Data;
using ModelLoop.Data.Loading;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Data.Loading;

public sealed class DataLoaderTests : IDisposable
{
    // Sample i has features [i, i] and label i, so a batch shows which samples it holds.
    private readonly TensorDataset _data = new(arange(23, dtype: ScalarType.Float32).unsqueeze(1).repeat(1, 2), arange(23, dtype: ScalarType.Int64));

    public void Dispose() => _data.Dispose();

    private static long[][] Labels(IEnumerable<Batch> batches) =>
        batches.Select(b => { using (b) return b.Labels.data<long>().ToArray(); }).ToArray();

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void AnEpochVisitsEverySampleOnceInBatchesOfTheRequestedSize(int prefetch)
    {
        var loader = new DataLoader(_data, new DataLoaderOptions { BatchSize = 5, Prefetch = prefetch, Seed = 1 });

        var batches = Labels(loader.Epoch(0));

        Assert.Equal(5, loader.BatchesPerEpoch);
        Assert.Equal([5, 5, 5, 5, 3], batches.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, 23).Select(i => (long)i), batches.SelectMany(b => b).Order());
        Assert.NotEqual(Enumerable.Range(0, 23).Select(i => (long)i), batches.SelectMany(b => b));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void AStreamSliceIsThoseBatchesOfTheEpochsOneAfterAnother(int prefetch)
    {
        var loader = new DataLoader(_data, new DataLoaderOptions { BatchSize = 5, Prefetch = prefetch, Seed = 4 });
        var epochs = Labels(loader.Epoch(0)).Concat(Labels(loader.Epoch(1))).Concat(Labels(loader.Epoch(2))).ToArray();

        // Batches 3…9 cross two epoch boundaries (5 batches per epoch).
        Assert.Equal(epochs[3..10], Labels(loader.Stream(3, 7)));
        Assert.Equal(epochs[..4], Labels(loader.Stream(0, 4)));
    }

    [Fact]
    public void TheOrderIsFixedBySeedAndEpochAndPrefetchChangesNothing()
    {
        var background = new DataLoader(_data, new DataLoaderOptions { BatchSize = 4, Prefetch = 2, Seed = 9 });
        var inline = new DataLoader(_data, new DataLoaderOptions { BatchSize = 4, Prefetch = 0, Seed = 9 });

        Assert.Equal(Labels(inline.Epoch(2)), Labels(background.Epoch(2)));
        Assert.NotEqual(Labels(background.Epoch(2)), Labels(background.Epoch(3)));
    }

    [Fact]
    public void FeaturesAndLabelsStayPairedAndTheTransformIsApplied()
    {
        var loader = new DataLoader(_data, new DataLoaderOptions { BatchSize = 8, DropLast = true, Transform = x => x * 10 });

        foreach (var batch in loader.Epoch())
            using (batch)
            {
                var expected = batch.Labels.data<long>().SelectMany(l => new[] { l * 10f, l * 10f }).ToArray();
                Assert.Equal(expected, batch.Features.data<float>().ToArray());
            }
        Assert.Equal(2, loader.BatchesPerEpoch);
    }

    [Fact]
    public void StoppingEarlyEndsTheBackgroundThreadAndAFailingTransformSurfacesItsError()
    {
        var loader = new DataLoader(_data, new DataLoaderOptions { BatchSize = 1, Prefetch = 2 });
        using (var first = loader.Epoch().First())
            Assert.Equal(1, first.Count);

        var failing = new DataLoader(_data, new DataLoaderOptions { BatchSize = 4, Transform = _ => throw new FormatException("bad batch") });
        Assert.Equal("bad batch", Assert.Throws<FormatException>(() => Labels(failing.Epoch())).Message);
    }

    [Fact]
    public void DropLastWithFewerSamplesThanOneBatchIsRefusedWithTheCountsAndTheFix()
    {
        var error = Assert.Throws<ArgumentException>(() => new DataLoader(_data, new DataLoaderOptions { BatchSize = 32, DropLast = true }));

        Assert.Contains("23 sample(s)", error.Message);
        Assert.Contains("batch of 32", error.Message);
        Assert.Contains("BatchSize of at most 23", error.Message);
        Assert.Contains("DropLast = false", error.Message);
    }

    [Fact]
    public void DropLastWithExactlyOneBatchOfSamplesYieldsThatBatch()
    {
        var loader = new DataLoader(_data, new DataLoaderOptions { BatchSize = 23, DropLast = true, Prefetch = 0 });

        Assert.Equal([23], Labels(loader.Epoch()).Select(b => b.Length));
    }
}
