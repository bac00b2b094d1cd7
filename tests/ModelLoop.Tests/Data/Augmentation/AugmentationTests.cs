using ModelLoop.Data.Augmentation;
using ModelLoop.Native;
using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Data.Augmentation;

public sealed class AugmentationTests
{
    public AugmentationTests() => TorchRuntime.EnsureLoaded();

    private static Tensor Images(long n = 8, long c = 1, long side = 6)
    {
        using var g = new Generator().manual_seed(99);
        return rand([n, c, side, side], generator: g);
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.allclose(b, rtol: 0, atol: 0);

    public static TheoryData<string> Names => ["flip", "crop", "rotation", "translation", "noise", "erasing", "composed"];

    private static ModelLoop.Data.Augmentation.Augmentation Create(string name) => name switch
    {
        "flip" => new RandomFlip(),
        "crop" => new RandomCrop(2),
        "rotation" => new RandomRotation(30),
        "translation" => new RandomTranslation(0.2),
        "noise" => new GaussianNoise(0.1),
        "erasing" => new RandomErasing(),
        _ => new RandomFlip().Then(new RandomCrop(1)).Then(new RandomErasing(1)),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void EachAugmentationKeepsTheShapeAndRepeatsExactlyUnderTheSameTorchSeed(string name)
    {
        using var images = Images();
        var augmentation = Create(name);

        random.manual_seed(5);
        using var first = augmentation.Apply(images);
        random.manual_seed(5);
        using var again = augmentation.Apply(images);
        random.manual_seed(6);
        using var other = augmentation.Apply(images);

        Assert.Equal(images.shape, first.shape);
        Assert.True(Same(first, again), "same seed, different output");
        Assert.False(Same(first, other), "another seed gave the same output");
    }

    [Fact]
    public void AFlipWithProbabilityOneMirrorsLeftRightAndTwiceIsTheIdentity()
    {
        using var images = Images();

        using var flipped = new RandomFlip(Probability: 1).Apply(images);
        using var twice = ModelLoop.Data.Augmentation.Augmentation.Compose(new RandomFlip(Probability: 1), new RandomFlip(Probability: 1)).Apply(images);
        using var mirrored = images.flip(3);

        Assert.True(Same(flipped, mirrored));
        Assert.True(Same(twice, images));
    }

    [Fact]
    public void ACropWithPaddingShiftsEachImageByAtMostThePadding()
    {
        using var images = ones(64, 1, 4, 4);

        random.manual_seed(1);
        using var cropped = new RandomCrop(Padding: 1).Apply(images);

        // A shifted all-ones 4×4 image keeps (4 − |dy|)·(4 − |dx|) ones: 16, 12 or 9; all three occur in 64 draws.
        var sums = cropped.sum([1, 2, 3]).data<float>().ToArray();
        Assert.All(sums, s => Assert.Contains(s, new[] { 16f, 12f, 9f }));
        Assert.Equal(3, sums.Distinct().Count());
    }

    [Fact]
    public void ZeroRotationAndZeroTranslationLeaveImagesUnchanged()
    {
        using var images = Images();

        using var rotated = new RandomRotation(0).Apply(images);
        using var shifted = new RandomTranslation(0).Apply(images);

        Assert.True(rotated.allclose(images, atol: 1e-5));
        Assert.True(shifted.allclose(images, atol: 1e-5));
    }

    [Fact]
    public void NoiseHasTheRequestedStandardDeviation()
    {
        using var images = zeros(16, 3, 32, 32);

        random.manual_seed(2);
        using var noisy = new GaussianNoise(0.2).Apply(images);

        Assert.Equal(0.2, noisy.std().item<float>(), 2);
    }

    [Fact]
    public void ErasingZeroesOneRectangleOfTheChosenAreaPerImage()
    {
        using var images = ones(32, 2, 20, 20);

        random.manual_seed(3);
        using var erased = new RandomErasing(Probability: 1, MinArea: 0.1, MaxArea: 0.2).Apply(images);

        var zeroFraction = erased.eq(0).to(ScalarType.Float32).mean([1, 2, 3]).data<float>().ToArray();
        Assert.All(zeroFraction, f => Assert.InRange(f, 0.05, 0.3)); // rounding of the sides moves the area a little
        using var sameInEveryChannel = erased[.., 0].eq(erased[.., 1]).all();
        Assert.True(sameInEveryChannel.item<bool>());
    }

    [Fact]
    public void AnAugmentationIsUsableAsFitOptionsAugmentAndRejectsANonImageBatch()
    {
        var options = new FitOptions { Augment = new RandomFlip().Then(new RandomCrop(2)) };
        using var images = Images();

        using var result = options.Augment!(images);

        Assert.Equal(images.shape, result.shape);
        using var flat = zeros(4, 10);
        Assert.Contains("(N, C, H, W)", Assert.Throws<ArgumentException>(() => new GaussianNoise().Apply(flat)).Message);
    }

    [Fact]
    public void TrainingWithTheSameSeedAndAugmentationEndsWithBitIdenticalWeights()
    {
        using var generator = new Generator().manual_seed(4);
        using var data = new ModelLoop.Data.TensorDataset(rand([64, 1, 8, 8], generator: generator), randint(0, 2, [64], generator: generator));
        var augment = new RandomFlip().Then(new RandomCrop(1)).Then(new RandomRotation(15)).Then(new GaussianNoise(0.05)).Then(new RandomErasing());
        Dictionary<string, byte[]> Train(long seed)
        {
            using var model = new ModelLoop.Modeling.Sequential(1, 8, 8) { new ModelLoop.Modeling.Layers.Flatten(), new ModelLoop.Modeling.Layers.Dense(2) };
            ModelLoop.Tests.Training.TrainingFixtures.BuildSeeded(model, 1);
            model.Compile("sgd", "cross_entropy", ["accuracy"]);
            model.Fit(data, ModelLoop.Tests.Training.TrainingFixtures.Options(epochs: 2, batchSize: 16, seed: seed) with { Augment = augment });
            return ModelLoop.Tests.Training.TrainingFixtures.Snapshot(model);
        }

        var first = Train(3);
        var again = Train(3);
        var other = Train(4);

        Assert.Equal(first, again);
        var weight = first.Keys.Single(k => k.EndsWith("weight", StringComparison.Ordinal));
        Assert.NotEqual(first[weight], other[weight]);   // another seed augments (and shuffles) differently
    }
}
