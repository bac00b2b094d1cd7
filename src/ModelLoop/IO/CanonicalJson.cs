using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace ModelLoop.IO;

/// <summary>
/// Content hashes of JSON documents (dataset manifests, training configs): every object's keys in ordinal order, no
/// whitespace, so equal content hashes equally whatever order it was written in.
/// </summary>
public static class CanonicalJson
{
    /// <summary>Lowercase hex SHA-256 of the canonical form of <paramref name="node"/>.</summary>
    public static string Sha256(JsonNode? node) => Convert.ToHexStringLower(SHA256.HashData(Utf8(node)));

    /// <summary>The canonical form of <paramref name="node"/> as UTF-8 bytes: what is hashed, or signed (artifact manifests).</summary>
    public static byte[] Utf8(JsonNode? node) => Encoding.UTF8.GetBytes(Canonical(node)?.ToJsonString() ?? "null");

    /// <summary>A copy of a JSON tree with every object's keys in ordinal order.</summary>
    public static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray array => new JsonArray(array.Select(Canonical).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };
}
