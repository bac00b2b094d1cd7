using ModelLoop.Modeling;

namespace ModelLoop.Artifacts;

/// <summary>ONNX packages: <c>model.onnx</c> with or without the weights, and what reads it back.</summary>
public static partial class ModelArtifact
{
    /// <summary>
    /// Writes an ONNX package: <c>model.json</c> (the spec the graph was made from, and <paramref name="metadata"/> with
    /// <see cref="ArtifactMetadata.Runtime"/> set to ONNX) and <paramref name="onnx"/> as <c>model.onnx</c>, without
    /// weights — e.g. an int8 model that only ONNX Runtime runs. Same layout, checksums, encryption and atomicity as
    /// <see cref="Save"/>. When the metadata has no input or output schema, they are taken from the model the spec builds.
    /// Returns the SHA-256 of the manifest.
    /// </summary>
    public static string SaveOnnx(ModelSpec spec, byte[] onnx, ArtifactMetadata metadata, string path, ArtifactSaveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (onnx is not { Length: > 0 })
            throw new ArgumentException("The ONNX graph is empty; pass the bytes of an .onnx file (e.g. from OnnxExporter.Export).", nameof(onnx));
        options ??= new ArtifactSaveOptions();
        if (options.Onnx is not null)
            throw new ArgumentException("SaveOnnx takes the graph as its onnx argument; leave ArtifactSaveOptions.Onnx unset.", nameof(options));
        var complete = metadata with
        {
            Runtime = ModelRuntime.Onnx,
            LibraryVersions = metadata.LibraryVersions ?? ArtifactMetadata.CurrentLibraryVersions(),
            CreatedUtc = metadata.CreatedUtc ?? DateTimeOffset.UtcNow,
        };
        if (complete.Input is null || complete.Output is null)
        {
            using var model = Model.FromSpec(spec);
            complete = complete with
            {
                Input = complete.Input ?? new TensorSchema(model.InputShape.ToArray(), model.InputKind == InputKind.TokenIds ? "I64" : "F32"),
                Output = complete.Output ?? new TensorSchema(model.OutputShape.ToArray(), "F32"),
            };
            CheckSchemas(complete, model, "the metadata passed to SaveOnnx");
        }
        return Write(spec, complete, null, onnx, path, options);
    }

    /// <summary>One file of an artifact (e.g. <see cref="OnnxFile"/>), after every checksum is verified, decrypted.</summary>
    /// <exception cref="FileNotFoundException">The artifact does not hold <paramref name="name"/>; the message lists what it holds.</exception>
    /// <exception cref="InvalidDataException">As <see cref="Load"/> for the files.</exception>
    public static byte[] ReadFile(string path, string name, ArtifactLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var (plain, _) = Verify(path, ArtifactFiles.Read(path), options ?? new ArtifactLoadOptions());
        return plain.TryGetValue(name, out var bytes)
            ? bytes
            : throw new FileNotFoundException($"Artifact '{path}' has no {name}; it holds [{string.Join(", ", plain.Keys.Order())}].", name);
    }

    /// <summary>The package's ONNX graph (<see cref="OnnxFile"/>), verified and decrypted.</summary>
    /// <exception cref="FileNotFoundException">The package has no ONNX graph; export one with `modelloop export MODEL --format onnx`.</exception>
    public static byte[] ReadOnnx(string path, ArtifactLoadOptions? options = null)
    {
        try
        {
            return ReadFile(path, OnnxFile, options);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"{e.Message} It is a TorchSharp package without an ONNX graph: export one with `modelloop export MODEL --format onnx`.", OnnxFile, e);
        }
    }

    /// <summary>
    /// Verifies a package as far as this process can without running it: every checksum, model.json, and — when it
    /// has weights — the weights against the architecture (as <see cref="Load"/>); an ONNX-only package must declare
    /// the ONNX runtime. What the registry checks before registering a version.
    /// </summary>
    /// <exception cref="InvalidDataException">A file, model.json or the weights do not verify.</exception>
    public static (ModelSpec Spec, ArtifactMetadata Metadata, string ManifestSha256) Validate(string path, ArtifactLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new ArtifactLoadOptions();
        var (plain, manifestSha) = Verify(path, ArtifactFiles.Read(path), options);
        var (spec, metadata) = ReadModelJson(path, plain[ModelFile]);
        if (metadata.Runtime == ModelRuntime.Onnx && !plain.ContainsKey(OnnxFile))
            throw new InvalidDataException($"{ModelFile} in artifact '{path}' declares the ONNX runtime but the package has no {OnnxFile}. Save it with ModelArtifact.SaveOnnx.");
        if (!plain.ContainsKey(WeightsFile))
        {
            if (metadata.Runtime != ModelRuntime.Onnx)
                throw new InvalidDataException($"Artifact '{path}' has no {WeightsFile} but {ModelFile} declares the {metadata.Runtime} runtime, which needs them. Save it with ModelArtifact.Save.");
            return (spec, metadata, manifestSha);
        }
        using var loaded = Load(path, options with { ExpectedManifestSha256 = manifestSha });
        return (spec, metadata, manifestSha);
    }
}
