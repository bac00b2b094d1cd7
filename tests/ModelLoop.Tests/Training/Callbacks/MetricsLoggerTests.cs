using System.Globalization;
using System.Text.Json;
using ModelLoop.Training.Callbacks;
using static ModelLoop.Tests.Training.TrainingFixtures;

namespace ModelLoop.Tests.Training.Callbacks;

public sealed class MetricsLoggerTests
{
    [Fact]
    public void MetricsLoggerWritesACsvRowPerEpochWithTheHistorysValues()
    {
        using var folder = new TempFolder();
        using var train = Classification(64);
        using var validation = Classification(32, seed: 2);
        using var model = Classifier();
        var path = folder.File("metrics.csv");

        var history = model.Fit(train, Options(epochs: 3), validation, [new MetricsLogger(path)]);

        var lines = File.ReadAllLines(path);
        Assert.Equal(1 + 3, lines.Length);
        var header = lines[0].Split(',');
        Assert.Equal("epoch", header[0]);
        Assert.Equal(["accuracy", "epoch", "loss", "lr", "seconds", "val_accuracy", "val_loss"], header.Order());
        for (var e = 0; e < 3; e++)
        {
            var cells = lines[e + 1].Split(',');
            Assert.Equal(header.Length, cells.Length);
            var row = header.Zip(cells).ToDictionary(p => p.First, p => double.Parse(p.Second, CultureInfo.InvariantCulture));
            Assert.Equal(e + 1, row["epoch"]);
            foreach (var key in history.Epochs[e].Keys)
                Assert.Equal(history.Epochs[e][key], row[key]); // round-trip format: exact
        }
    }

    [Fact]
    public void MetricsLoggerWritesAJsonObjectPerEpochInJsonLinesFormat()
    {
        using var folder = new TempFolder();
        using var train = Classification(64);
        using var model = Classifier();
        var path = folder.File("metrics.jsonl");

        var history = model.Fit(train, Options(epochs: 4), callbacks: [new MetricsLogger(path, MetricsFormat.JsonLines)]);

        var lines = File.ReadAllLines(path);
        Assert.Equal(4, lines.Length);
        for (var e = 0; e < 4; e++)
        {
            using var row = JsonDocument.Parse(lines[e]);
            Assert.Equal(e + 1, row.RootElement.GetProperty("epoch").GetDouble());
            Assert.Equal(history["loss"][e], row.RootElement.GetProperty("loss").GetDouble());
            Assert.Equal(history["accuracy"][e], row.RootElement.GetProperty("accuracy").GetDouble());
        }
    }
}
