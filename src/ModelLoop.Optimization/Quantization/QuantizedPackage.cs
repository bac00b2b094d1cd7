using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ModelLoop.Artifacts;

namespace ModelLoop.Optimization.Quantization;

/// <summary>
/// Writes an int8 model as an ONNX-only package in the artifact layout — <c>model.onnx</c>, <c>model.json</c> (the
/// <see cref="ArtifactMetadata"/> fields plus <c>runtime: "onnx"</c> and a <c>quantization</c> block) and
/// <c>manifest.json</c> (SHA-256 and size of each file) — atomically (a staging folder renamed into place).
/// A minimal adapter: the core's ModelArtifact writes TorchSharp packages only, so this stands in until an ONNX-only
/// package API exists there; it writes the same manifest format so the package's files verify the same way.
/// </summary>
internal static class QuantizedPackage
{
    public const string OnnxFile = "model.onnx";
    public const string Runtime = "onnx";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
    };

    public static void Write(byte[] onnx, string path, ArtifactMetadata metadata, QuantizationMode mode, QuantizationOptions options, int calibrationSamples, bool overwrite)
    {
        var document = JsonSerializer.SerializeToNode(metadata with
        {
            LibraryVersions = metadata.LibraryVersions ?? ArtifactMetadata.CurrentLibraryVersions(),
            CreatedUtc = metadata.CreatedUtc ?? DateTimeOffset.UtcNow,
        }, Json)!.AsObject();
        document.Insert(0, "format", "modelloop-artifact");
        document.Insert(1, "formatVersion", 1);
        document.Insert(2, "runtime", Runtime);
        document["onnx"] = OnnxFile;
        document["quantization"] = new JsonObject
        {
            ["precision"] = "int8",
            ["mode"] = mode.ToString().ToLowerInvariant(),
            ["perChannel"] = options.PerChannel,
            ["calibrationSamples"] = calibrationSamples,
            ["calibrationMethod"] = mode == QuantizationMode.Static ? options.CalibrationMethod.ToString() : null,
        };
        var files = new Dictionary<string, byte[]>
        {
            [OnnxFile] = onnx,
            [ModelArtifact.ModelFile] = Encoding.UTF8.GetBytes(document.ToJsonString(Json)),
        };
        var manifest = new JsonObject
        {
            ["format"] = "modelloop-artifact",
            ["formatVersion"] = 1,
            ["files"] = new JsonObject(files.Select(p => KeyValuePair.Create<string, JsonNode?>(p.Key, new JsonObject
            {
                ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(p.Value)),
                ["bytes"] = p.Value.LongLength,
            }))),
        };
        files[ModelArtifact.ManifestFile] = Encoding.UTF8.GetBytes(manifest.ToJsonString(Json));

        var full = Path.GetFullPath(Path.TrimEndingDirectorySeparator(path));
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var (name, bytes) in files)
            {
                using var stream = new FileStream(Path.Combine(staging, name), FileMode.CreateNew);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            if (Directory.Exists(full) && overwrite)
            {
                var old = staging + ".old";
                Directory.Move(full, old);
                Directory.Move(staging, full);
                Directory.Delete(old, recursive: true);
            }
            else
                Directory.Move(staging, full);
        }
        finally
        {
            if (Directory.Exists(staging))
                Directory.Delete(staging, recursive: true);
        }
    }
}
