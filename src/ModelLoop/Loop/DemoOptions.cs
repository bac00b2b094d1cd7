using ModelLoop.Native;
using ModelLoop.Training;

namespace ModelLoop.Loop;

/// <summary>The settings of <see cref="DemoLoop.Run"/>; every one has a default, so <c>new DemoOptions()</c> runs the embedded demo.</summary>
public sealed record DemoOptions
{
    /// <summary>Folder of Fashion-MNIST IDX files. Defaults to Debian's.</summary>
    public string Data { get; init; } = ModelLoop.Data.FashionMnist.DefaultDirectory;
    /// <summary>Epochs of the challenger (the fast CPU recipe). Defaults to 4.</summary>
    public int Epochs { get; init; } = 4;
    /// <summary>Epochs of the champion (the seed's keras-cnn). Defaults to 1.</summary>
    public int ChampionEpochs { get; init; } = 1;
    /// <summary>Train on the first N images only. Defaults to null (all).</summary>
    public int? Limit { get; init; }
    /// <summary>Folder for the dataset manifest, both runs and their reports. Defaults to runs/demo.</summary>
    public string Out { get; init; } = Path.Combine("runs", "demo");
    /// <summary>Registry name of the model. Defaults to fashion.</summary>
    public string Name { get; init; } = "fashion";
    /// <summary>Run store and registry folder. Defaults to null: <see cref="Storage.ModelLoopHome.Resolve"/>.</summary>
    public string? Home { get; init; }
    /// <summary>Defaults to null (random, recorded in each run's config).</summary>
    public long? Seed { get; init; }
    /// <summary>Defaults to null: float32 for the champion, the recipe's choice (bfloat16 where native) for the challenger.</summary>
    public Precision? Precision { get; init; }
    /// <summary>Defaults to <see cref="ComputeDevice.Auto"/>.</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Auto;

    /// <summary>Checks the settings before anything runs (so a typo costs no download or training). Returns them.</summary>
    /// <exception cref="ArgumentException">An epoch count below 1 or an invalid registry name; the message says which.</exception>
    public DemoOptions Validate()
    {
        foreach (var (value, name) in new[] { (Epochs, "Epochs (--epochs)"), (ChampionEpochs, "ChampionEpochs (--champion-epochs)") })
            if (value < 1)
                throw new ArgumentException($"{name} must be at least 1; received {value}.");
        Registry.ModelRegistry.CheckName(Name);
        return this;
    }
}
