using ModelLoop.Training;
using ModelLoop.Training.Callbacks;
using static ModelLoop.Tests.Training.TrainingFixtures;

namespace ModelLoop.Tests.Training.Callbacks;

public sealed class ReduceLROnPlateauTests
{
    [Theory]
    // The log's "lr" is the rate the epoch trained with; a reduction at the end of epoch e shows from e + 1.
    [InlineData(0.0, new[] { 0.01, 0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025 })]
    [InlineData(0.004, new[] { 0.01, 0.01, 0.01, 0.005, 0.005, 0.004, 0.004 })]
    public void ReduceLROnPlateauHalvesTheRateAfterEachPatienceWithoutImprovement(double minLearningRate, double[] expected)
    {
        using var train = Classification(64);
        using var model = Classifier(optimizer: OptimizerOptions.Adam(0.01));
        // A min delta no change can beat: only the first epoch counts as an improvement, so the plateau is certain.
        var reducer = new ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 2, minLearningRate: minLearningRate, minDelta: 1e9);

        var history = model.Fit(train, Options(epochs: 7), callbacks: [reducer]);

        Assert.Equal(expected.Length, history["lr"].Count);
        for (var e = 0; e < expected.Length; e++)
            Assert.Equal(expected[e], history["lr"][e], 12);
    }

    [Fact]
    public void ReduceLROnPlateauKeepsTheRateWhileTheMonitoredValueImproves()
    {
        using var train = Classification(256);
        using var model = Classifier(optimizer: OptimizerOptions.Adam(0.01));

        var history = model.Fit(train, Options(epochs: 4), callbacks: [new ReduceLROnPlateau(monitor: "loss", patience: 1, minDelta: 0)]);

        Assert.True(history["loss"].Zip(history["loss"].Skip(1), (a, b) => b < a).All(x => x), "the training loss should fall every epoch here");
        Assert.All(history["lr"], lr => Assert.Equal(0.01, lr));
    }

    [Fact]
    public void ReduceLROnPlateauRejectsAFactorOutsideZeroToOne()
    {
        using var train = Classification(64);
        using var model = Classifier();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            model.Fit(train, Options(), callbacks: [new ReduceLROnPlateau(monitor: "loss", factor: 2)]));

        Assert.Equal("factor", error.ParamName);
    }
}
