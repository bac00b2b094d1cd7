using System.Text.Json.Nodes;

namespace ModelLoop.Loop;

/// <summary>
/// Which network a run trains: a zoo model by name with its size arguments, or a layer spec (inline, or a file read
/// into <see cref="Spec"/> when the config is loaded, so a saved config is self-contained and its hash covers the layers).
/// Exactly one of <see cref="Zoo"/> and <see cref="Spec"/> is set.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>A <see cref="Modeling.Zoo.ModelZoo"/> name: mlp, keras-cnn, bn-cnn, resnet18. Defaults to null (a config without a model section means keras-cnn).</summary>
    public string? Zoo { get; init; }
    /// <summary>A model spec (the JSON form of <see cref="Modeling.ModelSpec"/>). Defaults to null.</summary>
    public JsonNode? Spec { get; init; }
    /// <summary>A spec file (.json/.yaml) to read into <see cref="Spec"/>, relative to the config file. Defaults to null.</summary>
    public string? SpecFile { get; init; }
    /// <summary>Hidden layer sizes of mlp. Defaults to null (the zoo's 128, 64).</summary>
    public IReadOnlyList<int>? Hidden { get; init; }
    /// <summary>First-stage channels of bn-cnn and resnet18, filters of keras-cnn. Defaults to null (the zoo's).</summary>
    public int? Width { get; init; }
    /// <summary>Convolutions per stage of bn-cnn, blocks per stage of resnet18. Defaults to null (the zoo's).</summary>
    public IReadOnlyList<int>? Stages { get; init; }
    /// <summary>Dropout of mlp and bn-cnn. Defaults to null (the zoo's).</summary>
    public double? Dropout { get; init; }
}
