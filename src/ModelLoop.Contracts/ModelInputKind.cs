using System.Text.Json.Serialization;

namespace ModelLoop.Contracts;

/// <summary>What an input's values are, written as "Float" or "TokenIds".</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ModelInputKind>))]
public enum ModelInputKind
{
    /// <summary>Real numbers.</summary>
    Float,
    /// <summary>Whole numbers ≥ 0 naming tokens of a vocabulary.</summary>
    TokenIds,
}
