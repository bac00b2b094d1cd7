using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace ModelLoop.Monitoring.Logging;

/// <summary>
/// The hash the prediction log keeps of an input (<see cref="ItemRecord.InputSha256"/>): SHA-256, lower-case hex, of a
/// record's JSON text as sent (UTF-8), or of a tensor's or image's values as float32 little-endian. The same input
/// sent twice has the same hash, so repeats can be found without keeping the input.
/// </summary>
public static class InputHash
{
    /// <summary>The hash of a record's raw JSON text.</summary>
    public static string Of(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
    }

    /// <summary>The hash of an item's values (before preprocessing).</summary>
    public static string Of(ReadOnlySpan<float> values) => Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(values)));
}
