using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ModelLoop.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Artifacts;

/// <summary>
/// The saved form of a trained model, safe to load from an untrusted place: a folder (or one .zip) with
/// <list type="bullet">
/// <item><c>model.json</c>: the model spec, input/output schema, preprocessing, metrics, lineage, library versions;</item>
/// <item><c>weights.safetensors</c>: every tensor of the network's state (parameters and buffers);</item>
/// <item><c>model.onnx</c> (optional): the model's ONNX graph; an ONNX package (<see cref="ModelRuntime.Onnx"/>, e.g. int8)
/// may carry it instead of the weights (<see cref="SaveOnnx"/>), and then runs through ONNX Runtime only;</item>
/// <item><c>manifest.json</c>: the SHA-256 and size of every other file, the encryption key id and artifact id if encrypted,
/// and an ECDSA P-256 signature over all of it if signed (<see cref="ArtifactSaveOptions.SigningKey"/>, <see cref="Sign"/>).</item>
/// </list>
/// <see cref="Load"/> checks every checksum, the signature against the trusted keys, decrypts (each file authenticated as
/// that file of that artifact), then the weights against the architecture the spec builds
/// (names, shapes, dtypes) and the schemas against the model, and refuses any mismatch naming the file.
/// Nothing in an artifact is executed: the spec names layer types from a fixed catalog.
/// </summary>
public static partial class ModelArtifact
{
    public const string ModelFile = "model.json";
    public const string WeightsFile = "weights.safetensors";
    public const string OnnxFile = "model.onnx";
    public const string ManifestFile = "manifest.json";
    private const string Format = "modelloop-artifact";
    private const int FormatVersion = 1;

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
    };

    /// <summary>
    /// Writes <paramref name="model"/> (its spec and current weights) with <paramref name="metadata"/> to a
    /// folder, or a single zip when <paramref name="path"/> ends in .zip. Atomic: a crash leaves either the
    /// old artifact or the new one. Returns the SHA-256 of the manifest.
    /// </summary>
    public static string Save(Model model, string path, ArtifactMetadata? metadata = null, ArtifactSaveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        metadata ??= new ArtifactMetadata();
        options ??= new ArtifactSaveOptions();
        var spec = model.ToSpec();
        var complete = metadata with
        {
            Input = metadata.Input ?? new TensorSchema(model.InputShape.ToArray(), model.InputKind == InputKind.TokenIds ? "I64" : "F32"),
            Output = metadata.Output ?? new TensorSchema(model.OutputShape.ToArray(), "F32"),
            LibraryVersions = metadata.LibraryVersions ?? ArtifactMetadata.CurrentLibraryVersions(),
            CreatedUtc = metadata.CreatedUtc ?? DateTimeOffset.UtcNow,
        };
        CheckSchemas(complete, model, "the metadata passed to Save");
        var weights = SafeTensors.Serialize(model.Network.state_dict(), new Dictionary<string, string> { ["format"] = "pt" });
        return Write(spec, complete, weights, options.Onnx, path, options);
    }

    // model.json, the weights and/or the ONNX graph, encrypted when asked, then the manifest over what is stored.
    private static string Write(ModelSpec spec, ArtifactMetadata complete, byte[]? weights, byte[]? onnx, string path, ArtifactSaveOptions options)
    {
        if (complete.Runtime == ModelRuntime.Onnx && onnx is null)
            throw new ArgumentException($"The metadata's Runtime is {ModelRuntime.Onnx} but no ONNX graph was given. Pass it in ArtifactSaveOptions.Onnx, or use ModelArtifact.SaveOnnx.", nameof(options));
        var document = JsonSerializer.SerializeToNode(complete, Json)!.AsObject();
        document.Insert(0, "format", Format);
        document.Insert(1, "formatVersion", FormatVersion);
        document.Insert(2, "spec", JsonNode.Parse(spec.ToJson()));
        if (weights is not null)
            document["weights"] = WeightsFile;
        if (onnx is not null)
            document["onnx"] = OnnxFile;

        var plain = new Dictionary<string, byte[]> { [ModelFile] = Encoding.UTF8.GetBytes(document.ToJsonString(Json)) };
        if (weights is not null)
            plain[WeightsFile] = weights;
        if (onnx is not null)
            plain[OnnxFile] = onnx;
        foreach (var (name, bytes) in options.ExtraFiles)
        {
            if (name.Length == 0 || name.IndexOfAny(['/', '\\', '\0']) >= 0 || name is "." or ".." || plain.ContainsKey(name) || name == ManifestFile)
                throw new ArgumentException($"ArtifactSaveOptions.ExtraFiles holds '{name}'; an extra file needs a plain file name (no folder) other than {ModelFile}, {WeightsFile}, {OnnxFile} and {ManifestFile}, e.g. 'tokenizer.vocab.json'.", nameof(options));
            plain[name] = bytes ?? throw new ArgumentException($"ArtifactSaveOptions.ExtraFiles['{name}'] is null; pass the file's bytes.", nameof(options));
        }
        // Encrypted files are bound to this artifact's id and their own names (ArtifactCipher's associated data).
        var artifactId = Guid.NewGuid().ToString("N");
        var stored = options.EncryptionKey is { } key
            ? plain.ToDictionary(p => p.Key, p => ArtifactCipher.Encrypt(key, artifactId, p.Key, p.Value))
            : plain;
        var manifest = new JsonObject
        {
            ["format"] = Format,
            ["formatVersion"] = FormatVersion,
            ["files"] = new JsonObject(stored.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, new JsonObject
            {
                ["sha256"] = Sha256(p.Value),
                ["bytes"] = p.Value.LongLength,
            }))),
        };
        if (options.EncryptionKey is { } used)
            manifest["encryption"] = new JsonObject { ["algorithm"] = "AES-256-GCM", ["keyId"] = used.Id, ["artifactId"] = artifactId };
        if (options.SigningKey is { } signer)
            ArtifactSignature.Sign(manifest, signer);
        var manifestBytes = Encoding.UTF8.GetBytes(manifest.ToJsonString(Json));
        ArtifactFiles.Write(path, new Dictionary<string, byte[]>(stored) { [ManifestFile] = manifestBytes }, options.Overwrite);
        return Sha256(manifestBytes);
    }

    /// <summary>
    /// Reads and verifies an artifact (folder or .zip) and returns the model with its weights on the CPU — or, for an
    /// ONNX-only package, the <see cref="InferenceOnlyModel"/> its runtime's registered loader builds (see <see cref="ModelRuntimes"/>).
    /// Throws <see cref="InvalidDataException"/> naming the file on any checksum, format, schema or weight
    /// mismatch, and when an encrypted artifact has no key or the wrong one.
    /// </summary>
    public static LoadedArtifact Load(string path, ArtifactLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new ArtifactLoadOptions();
        var files = ArtifactFiles.Read(path);
        var (plain, manifestSha) = Verify(path, files, options);
        var (spec, metadata) = ReadModelJson(path, plain[ModelFile]);
        if (!plain.ContainsKey(WeightsFile))
        {
            // An ONNX-only package (int8): the loader its runtime registered builds an InferenceOnlyModel.
            var external = ModelRuntimes.Load(new RuntimeModelFiles(path, spec, metadata, plain));
            return new LoadedArtifact(external, spec, metadata, path, manifestSha, ExtraFilesOf(plain));
        }

        Model model;
        try
        {
            model = Model.FromSpec(spec);
            _ = model.Network;
        }
        catch (Exception e) when (e is ModelBuildException or ArgumentException)
        {
            throw new InvalidDataException($"{ModelFile} in artifact '{path}' describes a model that does not build: {e.Message}", e);
        }
        try
        {
            CheckSchemas(metadata, model, $"{ModelFile} in artifact '{path}'");
            LoadWeights(model, plain[WeightsFile], $"{WeightsFile} in artifact '{path}'");
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return new LoadedArtifact(model, spec, metadata, path, manifestSha, ExtraFilesOf(plain));
    }

    // The verified files that are not the package's own (ArtifactSaveOptions.ExtraFiles).
    private static Dictionary<string, byte[]> ExtraFilesOf(Dictionary<string, byte[]> plain) =>
        plain.Where(p => p.Key is not (ModelFile or WeightsFile or OnnxFile or ManifestFile)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>
    /// Reads an artifact's spec and metadata after checking every checksum (and decrypting), without building the model:
    /// what monitoring needs of a version (its reference profile, task and class names).
    /// </summary>
    /// <exception cref="InvalidDataException">As <see cref="Load"/> for the files and model.json.</exception>
    public static (ModelSpec Spec, ArtifactMetadata Metadata) ReadMetadata(string path, ArtifactLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var (plain, _) = Verify(path, ArtifactFiles.Read(path), options ?? new ArtifactLoadOptions());
        return ReadModelJson(path, plain[ModelFile]);
    }

    /// <summary>Checks every checksum without building the model; returns the manifest's SHA-256.</summary>
    public static string VerifyFiles(string path, ArtifactLoadOptions? options = null) =>
        Verify(path, ArtifactFiles.Read(path), options ?? new ArtifactLoadOptions()).ManifestSha256;

    /// <summary>Lowercase hex SHA-256.</summary>
    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static (ModelSpec Spec, ArtifactMetadata Metadata) ReadModelJson(string path, byte[] bytes)
    {
        var source = $"{ModelFile} in artifact '{path}'";
        try
        {
            var document = JsonNode.Parse(bytes) as JsonObject ?? throw new InvalidDataException($"{source} is not a JSON object.");
            if ((string?)document["format"] != Format || (int?)document["formatVersion"] != FormatVersion)
                throw new InvalidDataException($"{source} has format '{document["format"]}' version {document["formatVersion"]}; expected '{Format}' version {FormatVersion}.");
            var spec = ModelSpec.FromJson(document["spec"]?.ToJsonString() ?? "null", source);
            var metadata = document.Deserialize<ArtifactMetadata>(Json) ?? throw new InvalidDataException($"{source} holds no metadata.");
            if (metadata.Input is null || metadata.Output is null)
                throw new InvalidDataException($"{source} lacks the \"input\" or \"output\" schema.");
            return (spec, metadata);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"{source} is not valid: {e.Message}", e);
        }
    }

    private static void CheckSchemas(ArtifactMetadata metadata, Model model, string source)
    {
        var input = new TensorSchema(model.InputShape.ToArray(), model.InputKind == InputKind.TokenIds ? "I64" : "F32");
        if (metadata.Input is { } declared && !(declared.DType == input.DType && declared.Shape.AsSpan().SequenceEqual(input.Shape)))
            throw new InvalidDataException($"{source} declares input {declared} but the model takes {input}. Fix the schema or the spec so they agree.");
        var output = model.OutputShape.ToArray();
        if (metadata.Output is { } outDeclared && !outDeclared.Shape.AsSpan().SequenceEqual(output))
            throw new InvalidDataException($"{source} declares output {outDeclared} but the model outputs ({string.Join(", ", output)}). Fix the schema or the spec so they agree.");
        foreach (var (schema, name) in new[] { (metadata.Input, "input"), (metadata.Output, "output") })
        {
            if (schema?.Names is { } names && names.Count != schema.Shape[^1])
                throw new InvalidDataException($"{source} names {names.Count} {name} columns but the {name}'s last dimension is {schema.Shape[^1]}.");
        }
    }

    private static void LoadWeights(Model model, byte[] bytes, string source)
    {
        var (tensors, _) = SafeTensors.Deserialize(bytes, source);
        try
        {
            var state = model.Network.state_dict();
            var missing = state.Keys.Except(tensors.Keys).ToList();
            var extra = tensors.Keys.Except(state.Keys).ToList();
            if (missing.Count > 0 || extra.Count > 0)
                throw new InvalidDataException($"{source} does not match the architecture in {ModelFile}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", extra)}].");
            foreach (var (name, target) in state)
            {
                var loaded = tensors[name];
                if (loaded.dtype != target.dtype || !loaded.shape.SequenceEqual(target.shape))
                    throw new InvalidDataException($"{source}: tensor '{name}' is {SafeTensors.DTypeName(loaded.dtype)}[{string.Join(", ", loaded.shape)}], but the model expects {SafeTensors.DTypeName(target.dtype)}[{string.Join(", ", target.shape)}].");
            }
            using (no_grad())
            {
                foreach (var (name, target) in state)
                    target.copy_(tensors[name]);
            }
        }
        finally
        {
            foreach (var tensor in tensors.Values)
                tensor.Dispose();
        }
    }
}
