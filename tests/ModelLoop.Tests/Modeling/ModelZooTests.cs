using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Modeling;

public sealed class ModelZooTests
{
    // CIFAR ResNet-18, width 64 (as in PyTorch's kuangliu/pytorch-cifar), counted by hand:
    // convolutions: stem 3·64·9 = 1,728; stage 1: 4 · 64·64·9 = 147,456; stage 2: 64·128·9 + 3 · 128·128·9 + 64·128 (shortcut) = 524,288;
    // stage 3: 2,097,152; stage 4: 8,388,608 → 11,159,232. BatchNorm channels: 64 + 4·64 + 4·128 + 128 + 4·256 + 256 + 4·512 + 512 = 4,800,
    // each with a trained weight and bias (9,600) and a running mean and variance (9,600). Dense 512·10 + 10 = 5,130.
    private const long CifarResNet18Trainable = 11_159_232 + 9_600 + 5_130;
    private const long CifarResNet18BatchNormStatistics = 9_600;

    [Fact]
    public void ResNet18ForCifarHas11173962TrainableParametersAsInPyTorchPlus9600BatchNormStatisticsInParameterCount()
    {
        using var model = ModelZoo.ResNet18(new Shape(3, 32, 32), 10);

        var trainable = model.Network.parameters().Where(p => p.requires_grad).Sum(p => p.numel());

        Assert.Equal(11_173_962, CifarResNet18Trainable);
        Assert.Equal(CifarResNet18Trainable, trainable);
        Assert.Equal(CifarResNet18Trainable + CifarResNet18BatchNormStatistics, model.ParameterCount); // 11,183,562
        Assert.Equal(new Shape(10), model.OutputShape);
    }

    [Fact]
    public void ResNet18HonoursItsClassesArgument()
    {
        using var model = ModelZoo.ResNet18(new Shape(3, 32, 32), 100);

        // Only the classifier changes: 512·90 + 90 more parameters.
        Assert.Equal(CifarResNet18Trainable + CifarResNet18BatchNormStatistics + 512 * 90 + 90, model.ParameterCount);
        Assert.Equal(new Shape(100), model.OutputShape);
    }

    [Fact]
    public void ResNet18HonoursItsWidthArgument()
    {
        using var model = ModelZoo.ResNet18(new Shape(3, 32, 32), 10, width: 32);

        // Half the channels: the stem has 3·32·9 = 864 weights, the other convolutions a quarter of theirs
        // ((11,159,232 − 1,728) / 4 = 2,789,376), 2,400 BatchNorm channels (4,800 trained + 4,800 statistics), Dense 256·10 + 10.
        Assert.Equal(864 + 2_789_376 + 4_800 + 4_800 + 2_570, model.ParameterCount);
    }

    [Fact]
    public void ResNet18AcceptsOneChannel28By28ImagesAndClassifiesThem()
    {
        using var model = ModelZoo.ResNet18(new Shape(1, 28, 28), 10, width: 16);
        using var scope = NewDisposeScope();

        using var output = model.Predict(randn(2, 1, 28, 28));

        Assert.Equal([2L, 10L], output.shape);
        Assert.Equal(new Shape(10), model.OutputShape);
        Assert.True(output.isfinite().all().item<bool>());
    }

    [Fact]
    public void ResNet18ForGreyImagesHas1152FewerStemWeightsThanForColourImages()
    {
        using var model = ModelZoo.ResNet18(new Shape(1, 28, 28), 10);

        Assert.Equal(CifarResNet18Trainable + CifarResNet18BatchNormStatistics - 2 * 64 * 9, model.ParameterCount);
    }
}
