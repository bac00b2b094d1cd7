using System.Text.Json.Serialization;

namespace ModelLoop.Language.Adapters;

/// <summary>
/// adapter_config.json: what an adapter is (rank, α, dropout, targets, the modules it adapts), the base it belongs to
/// (its weights checksum, parameter count and name) and the SHA-256 of adapter_model.safetensors, so a torn or edited
/// pair of files is refused on load.
/// </summary>
internal sealed record LoraAdapterManifest
{
    public const string CurrentFormat = "modelloop-lora/1";

    [JsonPropertyName("format")] public string Format { get; init; } = CurrentFormat;
    [JsonPropertyName("rank")] public int Rank { get; init; }
    [JsonPropertyName("alpha")] public double Alpha { get; init; }
    [JsonPropertyName("dropout")] public double Dropout { get; init; }
    [JsonPropertyName("targets")] public IReadOnlyList<string> Targets { get; init; } = [];
    [JsonPropertyName("modules")] public IReadOnlyList<string> Modules { get; init; } = [];
    [JsonPropertyName("parameterCount")] public long ParameterCount { get; init; }
    [JsonPropertyName("baseChecksum")] public string BaseChecksum { get; init; } = "";
    [JsonPropertyName("baseParameterCount")] public long BaseParameterCount { get; init; }
    [JsonPropertyName("baseName")] public string? BaseName { get; init; }
    [JsonPropertyName("weightsSha256")] public string WeightsSha256 { get; init; } = "";
}
