using System.Globalization;
using ModelLoop.Loop;
using ModelLoop.Training;

namespace ModelLoop.Monitoring.Tests.Retraining;

/// <summary>
/// A table whose rule changes under a shift: x1 away from 0 (|x1| ≥ 0.2) and x2 in [−1, 1] with label "a" when x1 &gt; 0;
/// shifted, x2 moves to [2, 3] and the rule flips ("a" when x1 &lt; 0). A model trained on the original rows gets the
/// shifted ones wrong; one that also saw shifted rows learns both. Shared with the CLI and kill tests.
/// </summary>
internal static class ShiftedTable
{
    public const string Model = "shift";

    /// <summary>Writes the table; a feedback export (<paramref name="feedback"/>) also has an id column, which training ignores.</summary>
    public static string Write(string path, int rows, bool shifted, int seed, bool feedback = true)
    {
        var random = new Random(seed);
        var lines = new List<string> { feedback ? "id,x1,x2,label" : "x1,x2,label" };
        for (var i = 0; i < rows; i++)
        {
            var x1 = (0.2 + random.NextDouble() * 0.8) * (random.Next(2) == 0 ? -1 : 1);
            var x2 = shifted ? 2 + random.NextDouble() : random.NextDouble() * 2 - 1;
            var a = shifted ? x1 < 0 : x1 > 0;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{(feedback ? $"{i}," : "")}{x1:F4},{x2:F4},{(a ? "a" : "b")}"));
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>The champion's config: a small MLP on the original rows.</summary>
    public static TrainingConfig ChampionConfig(string csv) => new()
    {
        Model = new ModelConfig { Zoo = "mlp", Hidden = [32], Dropout = 0 },
        Data = new DataConfig { Source = csv, Label = "label", Validation = 0.1, Test = 0.2, SplitSeed = 2 },
        Optimizer = new OptimizerConfig { LearningRate = 0.02 },
        Epochs = 30,
        BatchSize = 32,
        Seed = 1,
    };

    /// <summary>Trains the champion and registers it as production and champion in <paramref name="home"/>.</summary>
    public static TrainingResult TrainChampion(string home, string folder) =>
        TrainingJob.Run(ChampionConfig(Write(Path.Combine(folder, "original.csv"), 400, shifted: false, seed: 1, feedback: false)), new TrainingJobOptions
        {
            OutputDirectory = Path.Combine(folder, "champion"),
            Home = home,
            Track = false,
            Progress = ProgressMode.Silent,
            RegisterAs = Model,
            Aliases = ["production", "champion"],
        });
}
