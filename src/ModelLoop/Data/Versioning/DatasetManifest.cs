using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ModelLoop.Data.Readers;
using ModelLoop.IO;

namespace ModelLoop.Data.Versioning;

/// <summary>
/// The version record of a prepared dataset: what it was made from (<see cref="SourceSha256"/>), its schema,
/// counts and class balance per split, the seeds that made the splits, the fitted preprocessing pipeline (as an
/// opaque JSON object) and the SHA-256 of every file written. <see cref="Hash"/> — SHA-256 of all of that in
/// canonical JSON, creation time excluded — is the dataset version the registry records as lineage: same
/// source, seeds and pipeline give the same hash on any machine.
/// </summary>
public sealed record DatasetManifest
{
    /// <summary>The "format" field; bumped when the manifest changes incompatibly.</summary>
    public const string FormatVersion = "modelloop.dataset/1";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Format { get; init; } = FormatVersion;
    /// <summary>A human name (e.g. the source file's name).</summary>
    public required string Name { get; init; }
    /// <summary>SHA-256 of the source content (a file, a folder, or a table's cells).</summary>
    public required string SourceSha256 { get; init; }
    public TableSchema? Schema { get; init; }
    /// <summary>The label column, when there is one.</summary>
    public string? LabelColumn { get; init; }
    /// <summary>Rows per split, e.g. train → 398.</summary>
    public IReadOnlyDictionary<string, int> Counts { get; init; } = new Dictionary<string, int>();
    /// <summary>Rows per class per split (classification only), e.g. train → (0 → 148, 1 → 250).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> ClassBalance { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, int>>();
    /// <summary>Every seed that decided a split or a shuffle, by name.</summary>
    public IReadOnlyDictionary<string, long> SplitSeeds { get; init; } = new Dictionary<string, long>();
    /// <summary>The fitted <c>PreprocessingPipeline.ToJson()</c>, embedded as a JSON object; null when none.</summary>
    public JsonElement? Pipeline { get; init; }
    /// <summary>Files written for this version, relative to the manifest's folder.</summary>
    public IReadOnlyList<ManifestFile> Files { get; init; } = [];
    /// <summary>Free notes (e.g. rows removed as duplicates, anonymization summary).</summary>
    public IReadOnlyDictionary<string, string> Notes { get; init; } = new Dictionary<string, string>();
    /// <summary>When it was made. Not part of <see cref="Hash"/>.</summary>
    public DateTimeOffset CreatedUtc { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>SHA-256 (hex) of the canonical JSON of everything above but <see cref="CreatedUtc"/>: object keys sorted, no whitespace.</summary>
    /// <remarks>Written to the file as "hash" by <see cref="Save"/> (ignored by the serializer, which would otherwise recurse into it).</remarks>
    [JsonIgnore]
    public string Hash => ComputeHash();

    private string ComputeHash()
    {
        var node = JsonSerializer.SerializeToNode(this, Json)!.AsObject();
        node.Remove("createdUtc");
        return IO.CanonicalJson.Sha256(node);
    }

    /// <summary>Writes the manifest (with its <see cref="Hash"/>) as indented JSON, atomically: temp file + rename.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var node = JsonSerializer.SerializeToNode(this, Json)!.AsObject();
        node.Insert(0, "hash", Hash);
        AtomicFile.WriteAllText(path, node.ToJsonString(Json));
    }

    /// <summary>Reads a manifest and checks its stored hash against its content.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a manifest, another format, or a hash that does not match (edited or corrupt).</exception>
    public static DatasetManifest Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Dataset manifest '{path}' does not exist; `modelloop data prepare` writes one.", path);
        var text = File.ReadAllText(path);
        DatasetManifest? manifest;
        string? stored;
        try
        {
            using var document = JsonDocument.Parse(text);
            stored = document.RootElement.TryGetProperty("hash", out var h) ? h.GetString() : null;
            manifest = JsonSerializer.Deserialize<DatasetManifest>(text, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a dataset manifest: invalid JSON at line {e.LineNumber + 1} ({e.Message}).", e);
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException)
        {
            throw new InvalidDataException($"'{path}' is not a dataset manifest: {e.Message}", e);
        }
        if (manifest is null || manifest.Format != FormatVersion)
            throw new InvalidDataException($"'{path}' has format '{manifest?.Format}'; expected \"{FormatVersion}\". Prepare the dataset again with this version.");
        string actual;
        try
        {
            actual = manifest.Hash;
        }
        catch (ArgumentException e)
        {
            // A JSON object with a repeated key (e.g. inside the embedded pipeline) cannot be put in canonical form.
            throw new InvalidDataException($"'{path}' cannot be hashed: {e.Message}. The manifest was edited or is corrupt; prepare the dataset again.", e);
        }
        if (stored != actual)
            throw new InvalidDataException($"'{path}' stores hash {stored} but its content hashes to {actual}: the manifest was edited or is corrupt. Prepare the dataset again.");
        return manifest;
    }

    /// <summary>Checks every listed file against its recorded SHA-256; returns the paths that are missing or differ (empty when intact).</summary>
    public IReadOnlyList<string> Verify(string folder) =>
        Files.Where(f =>
        {
            var full = System.IO.Path.Combine(folder, f.Path);
            return !File.Exists(full) || ContentHash.OfFile(full) != f.Sha256;
        }).Select(f => f.Path).ToArray();
}
