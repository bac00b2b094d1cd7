using ModelLoop.Data.Shift;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Data.Shift;

public sealed class ImageCorruptionTests
{
    private static Tensor Images()
    {
        random.manual_seed(1);
        return rand(16, 1, 12, 12) * 0.8 + 0.1;
    }

    [Fact]
    public void TheSameSeedGivesTheSameCorruptedImagesAndTheCallersGeneratorIsLeftAsItWas()
    {
        using var images = Images();
        random.manual_seed(42);
        using var expectedNext = rand(3);
        random.manual_seed(42);

        using var first = ImageCorruption.Camera.Apply(images, seed: 7);
        using var next = rand(3);
        using var second = ImageCorruption.Camera.Apply(images, seed: 7);
        using var other = ImageCorruption.Camera.Apply(images, seed: 8);

        Assert.True(first.equal(second).all().item<bool>());
        Assert.False(first.equal(other).all().item<bool>());
        Assert.True(next.equal(expectedNext).all().item<bool>());
    }

    [Fact]
    public void LowerContrastAndBrightnessShowInEachImagesSpreadAndMeanAndPixelsStayInRange()
    {
        using var images = Images();

        using var flat = new ImageCorruption { Contrast = 0.5 }.Apply(images, 1);
        using var dark = new ImageCorruption { Brightness = -0.05 }.Apply(images, 1);
        using var everything = ImageCorruption.Camera.Apply(images, 1);

        Assert.Equal(images.std([1, 2, 3]).mean().item<float>() * 0.5, flat.std([1, 2, 3]).mean().item<float>(), 3);
        Assert.Equal(images.mean().item<float>() - 0.05, dark.mean().item<float>(), 3);
        Assert.True(everything.min().item<float>() >= 0 && everything.max().item<float>() <= 1);
        Assert.Equal(images.shape, everything.shape);
    }

    [Fact]
    public void BlurKeepsTheMeanOfAFlatImageAndSmoothsAnEdge()
    {
        using var edge = cat([zeros(1, 1, 8, 4), ones(1, 1, 8, 4)], 3);

        using var blurred = new ImageCorruption { BlurSigma = 1 }.Apply(edge, 1);

        var row = blurred[0, 0, 4].data<float>().ToArray();
        Assert.True(row[3] > 0.05 && row[4] < 0.95); // the step is no longer sharp
        Assert.Equal(0, row[0], 2);
        Assert.Equal(1, row[7], 2);
    }

    [Fact]
    public void ANonImageBatchIsRefusedWithItsShape()
    {
        using var flat = rand(4, 10);

        var error = Assert.Throws<ArgumentException>(() => ImageCorruption.Camera.Apply(flat, 1));

        Assert.Contains("[4, 10]", error.Message);
    }
}
