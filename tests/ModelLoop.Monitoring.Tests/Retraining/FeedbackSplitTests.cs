using ModelLoop.Monitoring.Retraining;

namespace ModelLoop.Monitoring.Tests.Retraining;

public sealed class FeedbackSplitTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelloop-feedback-split-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void ATableKeepsItsEarlierRowsForTrainingAndHoldsOutTheMostRecent()
    {
        var source = ShiftedTable.Write(Path.Combine(_folder, "feedback.csv"), 10, shifted: true, seed: 1);

        var (train, holdout) = FeedbackSplit.Split(source, 0.3, Path.Combine(_folder, "job"));

        var lines = File.ReadAllLines(source);
        Assert.Equal(lines[..8], File.ReadAllLines(train));
        Assert.Equal([lines[0], .. lines[8..]], File.ReadAllLines(holdout));
        Assert.Equal((train, holdout), FeedbackSplit.Paths(source, Path.Combine(_folder, "job")));
    }

    [Fact]
    public void AnImageFolderHoldsOutTheLastFilesOfEachClassByName()
    {
        var source = Path.Combine(_folder, "images");
        foreach (var (name, count) in new[] { ("cat", 4), ("dog", 2) })
        {
            Directory.CreateDirectory(Path.Combine(source, name));
            for (var i = 0; i < count; i++)
                File.WriteAllText(Path.Combine(source, name, $"{i:D3}.png"), name);
        }

        var (train, holdout) = FeedbackSplit.Split(source, 0.3, Path.Combine(_folder, "job"));

        string[] Files(string root) => Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["cat/000.png", "cat/001.png", "dog/000.png"], Files(train));
        Assert.Equal(["cat/002.png", "cat/003.png", "dog/001.png"], Files(holdout));
    }
}
