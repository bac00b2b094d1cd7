using ModelLoop.Artifacts;
using ModelLoop.Language.Tokenization;
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
    /// Reads and verifies a package written by <see cref="Save"/>, or a run folder of <c>modelloop lm train</c>
    /// (<see cref="RunModelFolder"/>/ and <see cref="TokenizerFolder"/>/).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No package (or a part of one) at <paramref name="directory"/>.</exception>
    /// <exception cref="InvalidDataException">A checksum or weight mismatch, or the tokenizer's vocabulary does not fit the model's.</exception>
    public static LanguageModelPackage Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var modelFolder = Directory.Exists(Path.Combine(directory, ModelFolder)) ? ModelFolder : RunModelFolder;
        if (!Directory.Exists(Path.Combine(directory, modelFolder)) || !Directory.Exists(Path.Combine(directory, TokenizerFolder)))
            throw new DirectoryNotFoundException($"'{directory}' is not a language-model package: expected the folders '{ModelFolder}/' (a model artifact) and '{TokenizerFolder}/' (vocab.json, merges.txt) inside it, as LanguageModelPackage.Save writes them, or a run folder of `modelloop lm train` ('{RunModelFolder}/' and '{TokenizerFolder}/').");
        var tokenizer = TextTokenizers.Load(Path.Combine(directory, TokenizerFolder));
        var artifact = ModelArtifact.Load(Path.Combine(directory, modelFolder));
        var vocabulary = artifact.Model.OutputShape.Rank == 2 ? artifact.Model.OutputShape[1] : -1;
        if (tokenizer.VocabularySize > vocabulary)
        {
            artifact.Dispose();
            throw new InvalidDataException($"The tokenizer in '{directory}' has {tokenizer.VocabularySize} tokens but the model's output holds {vocabulary}; the two parts do not belong together. Save them again with LanguageModelPackage.Save.");
        }
        return new LanguageModelPackage(artifact, tokenizer);
    }

    public void Dispose() => Artifact.Dispose();
}
