using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using ModelLoop.Artifacts;

namespace ModelLoop.Monitoring.Logging;

/// <summary>How the log's columns are written: times as fixed-width UTC text, floats as little-endian blobs, JSON for the rest.</summary>
internal static class LogCodec
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private const string TimeFormat = "yyyy-MM-dd'T'HH':'mm':'ss'.'fffffff'Z'";

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string text) =>
        new(DateTime.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero);

    public static byte[] Blob(ReadOnlySpan<float> values)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("The prediction log stores float32 little-endian; this machine is big-endian.");
        return MemoryMarshal.AsBytes(values).ToArray();
    }

    public static float[] Floats(byte[] blob) => MemoryMarshal.Cast<byte, float>(blob).ToArray();

    public static string? ToJson(MonitoredItem? item) => item is null ? null : JsonSerializer.Serialize(item, Json);

    public static MonitoredItem? Monitored(string? json) => json is null ? null : JsonSerializer.Deserialize<MonitoredItem>(json, Json);

    public static string? ToJson<T>(IReadOnlyList<T>? values) => values is null ? null : JsonSerializer.Serialize(values, Json);

    public static T[]? Array<T>(string? json) => json is null ? null : JsonSerializer.Deserialize<T[]>(json, Json);

    /// <summary>The class a classifier predicted from its raw outputs: sigmoid ≥ 0.5 for a single logit, else the arg max.</summary>
    public static int PredictedClass(ReadOnlySpan<float> outputs)
    {
        if (outputs.Length == 1)
            return outputs[0] >= 0 ? 1 : 0; // sigmoid ≥ 0.5, as PackageInfo.Classify decides
        var best = 0;
        for (var i = 1; i < outputs.Length; i++)
        {
            if (outputs[i] > outputs[best])
                best = i;
        }
        return best;
    }
}
