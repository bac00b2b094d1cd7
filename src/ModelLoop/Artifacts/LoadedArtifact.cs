using ModelLoop.Modeling;

namespace ModelLoop.Artifacts;

/// <summary>A verified artifact: the model with its weights (on the CPU), and its metadata. Dispose to free the weights.</summary>
public sealed class LoadedArtifact : IDisposable
{
    internal LoadedArtifact(Model model, ModelSpec spec, ArtifactMetadata metadata, string path, string manifestSha256, IReadOnlyDictionary<string, byte[]>? extraFiles = null)
    {
        ExtraFiles = extraFiles ?? new Dictionary<string, byte[]>();
        Model = model;
        Spec = spec;
        Metadata = metadata;
        Path = path;
        ManifestSha256 = manifestSha256;
    }

    public Model Model { get; }
    public ModelSpec Spec { get; }
    public ArtifactMetadata Metadata { get; }
    /// <summary>The folder or .zip it was read from.</summary>
    public string Path { get; }
    /// <summary>SHA-256 (hex) of manifest.json: one hash that covers every file.</summary>
    public string ManifestSha256 { get; }
    /// <summary>The package's files beyond the model's own (<see cref="ArtifactSaveOptions.ExtraFiles"/>), verified and decrypted, by name. Empty for most packages.</summary>
    public IReadOnlyDictionary<string, byte[]> ExtraFiles { get; }

    public void Dispose() => Model.Dispose();
}
