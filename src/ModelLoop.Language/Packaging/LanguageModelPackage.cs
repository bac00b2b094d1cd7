using ModelLoop.Artifacts;
using ModelLoop.Language.Tokenization;
using ModelLoop.Language.Training;
using ModelLoop.Modeling;

namespace ModelLoop.Language.Packaging;

/// <summary>
/// A language model on disk with the tokenizer it needs, as two sibling folders under one:
/// <list type="bullet">
/// <item><c>model/</c>: a <see cref="ModelArtifact"/> (model.json with the spec, weights.safetensors, manifest.json with
/// checksums), exactly what <see cref="ModelArtifact.Save"/> writes for any model, so registry and serving tools read it;</item>
/// <item><c>tokenizer/</c>: the tokenizer as its own <c>Save</c> writes it (vocab.json, and merges.txt for byte-level BPE).</item>
/// </list>
/// An artifact folder holds only the files its manifest lists, hence the tokenizer beside it rather than inside.
/// Each part is written atomically; a crash between the two can leave a new model beside an old tokenizer, which
/// <see cref="Load"/> refuses when their vocabulary sizes disagree.
/// </summary>
public sealed class LanguageModelPackage : IDisposable
{
    /// <summary>The model artifact's folder name inside a package.</summary>
    public const string ModelFolder = "model";

    /// <summary>
    /// The model's folder name in a run folder of <c>modelloop lm train</c> (every training run writes its model package
    /// there): a run folder with <see cref="TokenizerFolder"/> beside it loads as a package too.
    /// </summary>
    public const string RunModelFolder = "artifact";

    /// <summary>The tokenizer's folder name inside a package.</summary>
    public const string TokenizerFolder = "tokenizer";

    private LanguageModelPackage(LoadedArtifact artifact, ITextTokenizer tokenizer) => (Artifact, Tokenizer) = (artifact, tokenizer);

    /// <summary>The model with its spec and metadata.</summary>
    public LoadedArtifact Artifact { get; }

    /// <summary>The loaded model (weights on the CPU).</summary>
    public Model Model => Artifact.Model;

    /// <summary>The tokenizer the model reads and writes text with.</summary>
    public ITextTokenizer Tokenizer { get; }

    /// <summary>
    /// Writes <paramref name="model"/> and <paramref name="tokenizer"/> (a <see cref="CharTokenizer"/> or
    /// <see cref="ByteLevelBpeTokenizer"/>) under <paramref name="directory"/>, replacing a package already there.
    /// </summary>
    /// <exception cref="ArgumentException">The tokenizer kind cannot be saved (GPT-2's own tokenizer ships with the library, not in files).</exception>
    public static void Save(Model model, ITextTokenizer tokenizer, string directory, ArtifactMetadata? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Action<string> saveTokenizer = tokenizer switch
        {
            CharTokenizer characters => characters.Save,
            ByteLevelBpeTokenizer bpe => bpe.Save,
            _ => throw new ArgumentException($"A {tokenizer.GetType().Name} cannot be saved into a package; use a CharTokenizer or ByteLevelBpeTokenizer.", nameof(tokenizer)),
        };
        Directory.CreateDirectory(directory);
        ModelArtifact.Save(model, Path.Combine(directory, ModelFolder), metadata, new ArtifactSaveOptions { Overwrite = true });
        saveTokenizer(Path.Combine(directory, TokenizerFolder));
    }

    /// <summary>
    /// Reads and verifies a package written by <see cref="Save"/>, a run folder of <c>modelloop lm train</c>
    /// (<see cref="RunModelFolder"/>/ and <see cref="TokenizerFolder"/>/), or one model artifact (folder or .zip) that
    /// carries its tokenizer as <see cref="TokenizerFilePrefix"/> files (<see cref="ToArtifact"/>, a registered version).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No package (or a part of one) at <paramref name="directory"/>.</exception>
    /// <exception cref="InvalidDataException">A checksum or weight mismatch, or the tokenizer's vocabulary does not fit the model's.</exception>
    public static LanguageModelPackage Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (File.Exists(Path.Combine(directory, ModelArtifact.ManifestFile)) || (File.Exists(directory) && directory.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)))
            return FromArtifact(ModelArtifact.Load(directory));
        var modelFolder = Directory.Exists(Path.Combine(directory, ModelFolder)) ? ModelFolder : RunModelFolder;
        if (!Directory.Exists(Path.Combine(directory, modelFolder)) || !Directory.Exists(Path.Combine(directory, TokenizerFolder)))
            throw new DirectoryNotFoundException($"'{directory}' is not a language-model package: expected the folders '{ModelFolder}/' (a model artifact) and '{TokenizerFolder}/' (vocab.json, merges.txt) inside it, as LanguageModelPackage.Save writes them, or a run folder of `modelloop lm train` ('{RunModelFolder}/' and '{TokenizerFolder}/').");
        var tokenizer = TextTokenizers.Load(Path.Combine(directory, TokenizerFolder));
        return Checked(ModelArtifact.Load(Path.Combine(directory, modelFolder)), tokenizer, directory);
    }

    /// <summary>The prefix of the tokenizer's files inside one artifact: <c>tokenizer.vocab.json</c>, <c>tokenizer.merges.txt</c>.</summary>
    public const string TokenizerFilePrefix = "tokenizer.";

    /// <summary>
    /// A verified artifact that carries its tokenizer (<see cref="ToArtifact"/>), e.g. a registry version loaded with
    /// <see cref="ModelLoop.Registry.ModelRegistry.Load"/>. Takes ownership of <paramref name="artifact"/> (disposes it on failure).
    /// </summary>
    /// <exception cref="InvalidDataException">The artifact has no tokenizer files, or the tokenizer does not fit the model.</exception>
    public static LanguageModelPackage FromArtifact(LoadedArtifact artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ITextTokenizer tokenizer;
        try
        {
            var files = artifact.ExtraFiles.Where(f => f.Key.StartsWith(TokenizerFilePrefix, StringComparison.Ordinal))
                .ToDictionary(f => f.Key[TokenizerFilePrefix.Length..], f => f.Value, StringComparer.Ordinal);
            if (files.Count == 0)
                throw new InvalidDataException($"Model artifact '{artifact.Path}' holds no tokenizer ({TokenizerFilePrefix}vocab.json), so it cannot read or write text. Register a language model with LanguageModelRegistration.Register (`modelloop lm train --register NAME`), which stores the tokenizer in the artifact.");
            tokenizer = TextTokenizers.FromFiles(files, $"artifact '{artifact.Path}'");
        }
        catch
        {
            artifact.Dispose();
            throw;
        }
        return Checked(artifact, tokenizer, artifact.Path);
    }

    /// <summary>
    /// Writes the package as one model artifact at <paramref name="path"/> (folder or .zip): the model's files with the
    /// tokenizer's (<see cref="TokenizerFolder"/>'s files, as <see cref="TokenizerFilePrefix"/> + name) checksummed in
    /// the same manifest, so a registry copy, a signature or an encryption covers both. <see cref="FromArtifact"/> reads it.
    /// Returns the manifest's SHA-256.
    /// </summary>
    /// <param name="options">How to write (encryption, signing, overwrite); its <see cref="ArtifactSaveOptions.ExtraFiles"/> must be empty. Defaults to plain, not overwriting.</param>
    public string ToArtifact(string path, ArtifactSaveOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new ArtifactSaveOptions();
        if (options.ExtraFiles.Count > 0)
            throw new ArgumentException("ToArtifact adds the tokenizer's files itself; leave ArtifactSaveOptions.ExtraFiles empty.", nameof(options));
        var staging = Directory.CreateTempSubdirectory("modelloop-tokenizer-");
        try
        {
            // The tokenizer's own Save is the one writer of its layout; its files are read back to go into the manifest.
            LanguageModelTraining.SaveTokenizer(Tokenizer, staging.FullName);
            var files = Directory.EnumerateFiles(staging.FullName).ToDictionary(f => TokenizerFilePrefix + Path.GetFileName(f), File.ReadAllBytes, StringComparer.Ordinal);
            return ModelArtifact.Save(Model, path, Artifact.Metadata, options with { ExtraFiles = files });
        }
        finally
        {
            staging.Delete(recursive: true);
        }
    }

    // A tokenizer whose ids the model's output cannot hold belongs to another model.
    private static LanguageModelPackage Checked(LoadedArtifact artifact, ITextTokenizer tokenizer, string source)
    {
        var vocabulary = artifact.Model.OutputShape.Rank == 2 ? artifact.Model.OutputShape[1] : -1;
        if (tokenizer.VocabularySize > vocabulary)
        {
            artifact.Dispose();
            throw new InvalidDataException($"The tokenizer in '{source}' has {tokenizer.VocabularySize} tokens but the model's output holds {vocabulary}; the two parts do not belong together. Save them again with LanguageModelPackage.Save.");
        }
        return new LanguageModelPackage(artifact, tokenizer);
    }

    public void Dispose() => Artifact.Dispose();
}
