using ModelLoop.Data.Inspection;

namespace ModelLoop.Tests.Data.Inspection;

public sealed class DatasetSummaryTests
{
    [Fact]
    public void AnImageSummaryGivesPixelStatisticsPerChannelAndNamedClassesInIndexOrder()
    {
        var pixels = new float[12 * 3 * 16];
        for (var i = 0; i < pixels.Length; i++)
            pixels[i] = (i / 16 % 3) switch { 0 => 0f, 1 => 0.5f, _ => 1f };   // channel 0 all 0, channel 1 all 0.5, channel 2 all 1
        using var data = new ModelLoop.Data.TensorDataset(TorchSharp.torch.tensor(pixels, [12, 3, 4, 4]),
            TorchSharp.torch.tensor(Enumerable.Range(0, 12).Select(i => (long)(i % 11)).ToArray()));
        var names = Enumerable.Range(0, 11).Select(i => $"c{i}").ToArray();

        var summary = DatasetSummary.OfImages(data, names);

        Assert.Equal([0.0, 0.5, 1.0], summary.Columns.Select(c => c.Mean!.Value));
        Assert.Equal("0 c0", summary.ClassBalance.Keys.First());
        Assert.Equal("10 c10", summary.ClassBalance.Keys.Last());      // after 9, not after 1
        Assert.Equal(2, summary.ClassBalance["0 c0"]);
    }
}
