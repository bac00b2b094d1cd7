using System.Globalization;
using ModelLoop.Loop;
using ModelLoop.Training;

namespace ModelLoop.Privacy.Tests.Audit;

/// <summary>A temporary folder with a table whose labels are random, and helpers to train on it with <see cref="TrainingJob"/>.</summary>
internal sealed class AuditWorkspace : IDisposable
{
    public AuditWorkspace() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "modelloop-audit-tests-" + Guid.NewGuid().ToString("N")[..12]);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>
    /// <paramref name="rows"/> rows of 8 standard-normal features and a label drawn uniformly from 8 classes independently of
    /// them: nothing generalizes, so a model can fit its training rows only by memorizing them — the worst case for
    /// membership. (Eight classes, not two, so a memorizing model is right on only 1/8 of unseen rows, not half.)
    /// </summary>
    public string NoiseCsv(int rows, int seed = 11)
    {
        var random = new Random(seed);
        var lines = new List<string> { string.Join(",", Enumerable.Range(1, 8).Select(i => $"x{i}")) + ",label" };
        for (var r = 0; r < rows; r++)
        {
            var features = Enumerable.Range(0, 8).Select(_ => Normal(random).ToString("F4", CultureInfo.InvariantCulture));
            lines.Add(string.Join(",", features) + "," + "c" + random.Next(8).ToString(CultureInfo.InvariantCulture));
        }
        var path = File("noise.csv");
        System.IO.File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>An MLP trained with a high rate for many epochs on <paramref name="test"/>'s complement of the table: it memorizes its training rows.</summary>
    public TrainingConfig OverfitConfig(string csv, double test, int epochs = 80) => new()
    {
        Model = new ModelConfig { Zoo = "mlp", Hidden = [128], Dropout = 0 },
        Data = new DataConfig { Source = csv, Label = "label", Validation = 0, Test = test, SplitSeed = 3 },
        Optimizer = new OptimizerConfig { LearningRate = 0.01 },
        Epochs = epochs,
        BatchSize = 16,
        Seed = 5,
    };

    public TrainingResult Train(TrainingConfig config, string folder = "run") =>
        TrainingJob.Run(config, new TrainingJobOptions { OutputDirectory = File(folder), Track = false, Progress = ProgressMode.Silent });

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    public void Dispose()
    {
        if (Directory.Exists(Path))
            Directory.Delete(Path, recursive: true);
    }
}
