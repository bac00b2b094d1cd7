using ModelLoop.Training.Callbacks;
using static ModelLoop.Tests.Training.TrainingFixtures;

namespace ModelLoop.Tests.Training.Callbacks;

public sealed class ModelCheckpointTests
{
    [Fact]
    public void ModelCheckpointSavesOnlyTheEpochsThatImproved()
    {
        using var folder = new TempFolder();
        using var train = Classification(256);
        using var validation = WithShiftedLabels(train, classes: 3);
        using var model = Classifier();
        var recorder = new WeightRecorder();
        var checkpoint = new ModelCheckpoint(folder.File("weights-{epoch}.bin"), monitor: "val_loss");

        var history = model.Fit(train, Options(epochs: 6), validation, [recorder, checkpoint]);

        // Improved epochs (1-based), worked out from the logged values.
        var improved = new List<int>();
        var best = double.PositiveInfinity;
        for (var e = 0; e < history.Epochs.Count; e++)
        {
            if (history["val_loss"][e] < best)
            {
                best = history["val_loss"][e];
                improved.Add(e + 1);
            }
        }
        var files = Directory.GetFiles(folder.Path, "weights-*.bin").Select(Path.GetFileName).Order().ToList();
        Assert.InRange(improved.Count, 1, 5); // some epochs improved, some did not
        Assert.Equal(improved.Select(e => $"weights-{e}.bin").Order(), files);
        Assert.Equal(improved.Select(e => folder.File($"weights-{e}.bin")), checkpoint.Saved.Select(Path.GetFullPath));
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp", SearchOption.AllDirectories));

        using var reloaded = Classifier(initSeed: 99);
        reloaded.LoadWeights(folder.File($"weights-{improved[^1]}.bin"));
        AssertSameWeights(recorder.Epochs[improved[^1] - 1], Snapshot(reloaded));
    }

    [Fact]
    public void ModelCheckpointWithSaveBestOnlyOffSavesEveryEpoch()
    {
        using var folder = new TempFolder();
        using var train = Classification(64);
        using var validation = WithShiftedLabels(train, classes: 3);
        using var model = Classifier();

        model.Fit(train, Options(epochs: 4), validation, [new ModelCheckpoint(folder.File("e{epoch}.bin"), saveBestOnly: false)]);

        Assert.Equal(["e1.bin", "e2.bin", "e3.bin", "e4.bin"], Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order());
    }
}
