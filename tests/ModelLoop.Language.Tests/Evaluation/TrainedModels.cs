using ModelLoop.Language.Training;
using ModelLoop.Loop;
using ModelLoop.Training;

namespace ModelLoop.Language.Tests.Evaluation;

/// <summary>
/// Two tiny character GPTs trained once for a test class on the shipped fortunes sample, same config and split: one
/// barely trained (<see cref="Short"/>, 3 steps) and one trained longer (<see cref="Long"/>), as run folders (untracked).
/// </summary>
public sealed class TrainedModels : IDisposable
{
    public TrainedModels()
    {
        Short = LanguageModelTraining.Run(Config(3), Options("short")).PackageDirectory;
        Long = LanguageModelTraining.Run(Config(60), Options("long")).PackageDirectory;
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("lm-models").FullName;
    public string Short { get; }
    public string Long { get; }

    /// <summary>A tiny GPT on the fortunes sample (block 16, 1 layer, width 16), validated every 10 steps.</summary>
    public static TrainingConfig Config(int maxIters) => new()
    {
        Language = new LanguageConfig
        {
            Corpus = Samples.Fixture("fortunes-en-sample"),
            BlockSize = 16,
            Layers = 1,
            Heads = 2,
            Width = 16,
            MaxIters = maxIters,
            EvalInterval = 10,
            EvalIters = 2,
        },
        Data = new DataConfig { Validation = 0.2, Test = 0.2, SplitSeed = 3 },
        BatchSize = 8,
        Optimizer = new OptimizerConfig { Name = "adamw", LearningRate = 1e-2, Beta2 = 0.99 },
        ClipGradientNorm = 1.0,
        Seed = 11,
    };

    private TrainingJobOptions Options(string run) => new()
    {
        OutputDirectory = Path.Combine(Folder, run),
        Home = Path.Combine(Folder, "home"),
        Track = false,
        Progress = ProgressMode.Silent,
    };

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
