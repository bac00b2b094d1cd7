using System.Globalization;
using ModelLoop.Artifacts;
using ModelLoop.Data;
using ModelLoop.Data.Splits;
using ModelLoop.Data.Versioning;
using ModelLoop.Language.Corpora;
using ModelLoop.Language.Data;
using ModelLoop.Language.Tokenization;
using ModelLoop.Loop;
using static TorchSharp.torch;

namespace ModelLoop.Language.Training;

/// <summary>
/// A language-model run's data from its <see cref="LanguageConfig"/>: the corpus split by document into train,
/// validation and test (<see cref="DataConfig.Validation"/>, <see cref="DataConfig.Test"/>, <see cref="DataConfig.SplitSeed"/>;
/// the same corpus and seed give the same split on every machine), the tokenizer (characters of the whole corpus, or
/// byte-level BPE trained on the training documents only), and each part packed into one token stream
/// (<see cref="PackedSequenceDataset"/>). <see cref="ToLoadedData"/> turns it into what <see cref="TrainingJob"/> trains on.
/// </summary>
public sealed class LanguageModelData : IDisposable
{
    private LanguageModelData(string source, string sourceSha256, SplitIndices split, IReadOnlyList<CorpusDocument> documents, ITextTokenizer tokenizer, int blockSize)
    {
        Source = source;
        SourceSha256 = sourceSha256;
        Documents = documents;
        Split = split;
        Tokenizer = tokenizer;
        PackedSequenceDataset Pack(IReadOnlyList<int> indices, string part) => indices.Count > 0
            ? PackedSequenceDataset.FromDocuments(indices.Select(i => documents[i].Text), tokenizer, blockSize)
            : throw new ArgumentException($"The {part} share of data holds no document of the {documents.Count:N0} in '{source}'; raise data.{part} or use a larger corpus.");
        Train = Pack(split.Train, "train");
        Validation = Pack(split.Validation, "validation");
        Test = Pack(split.Test, "test");
    }

    /// <summary>The corpus path read.</summary>
    public string Source { get; }
    /// <summary>SHA-256 of the corpus text (documents in order), the data's version.</summary>
    public string SourceSha256 { get; }
    /// <summary>Every document of the corpus, in corpus order; <see cref="Split"/> indexes it.</summary>
    public IReadOnlyList<CorpusDocument> Documents { get; }
    /// <summary>Which documents went to train, validation and test.</summary>
    public SplitIndices Split { get; }
    public ITextTokenizer Tokenizer { get; }
    /// <summary>The training documents' token stream.</summary>
    public PackedSequenceDataset Train { get; }
    /// <summary>The validation documents' token stream.</summary>
    public PackedSequenceDataset Validation { get; }
    /// <summary>The test documents' token stream.</summary>
    public PackedSequenceDataset Test { get; }

    /// <summary>Reads the corpus, splits it by document and builds the tokenizer, as <paramref name="config"/>'s language and data sections say.</summary>
    /// <param name="config">A config with a language section.</param>
    /// <param name="tokenizer">A trained model's tokenizer to read the corpus with (a fine-tune's base's) instead of building one. Defaults to null (built).</param>
    /// <exception cref="ArgumentException">The config has no language section, or a part of the split is empty.</exception>
    /// <exception cref="FileNotFoundException">The corpus does not exist (for fortunes: install Debian's fortunes package).</exception>
    public static LanguageModelData Load(TrainingConfig config, ITextTokenizer? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var language = config.Language ?? throw new ArgumentException("The config has no language section; add language: { corpus: fortunes, tokenizer: char, blockSize: 64, … } (see samples/LanguageModel/fortunes-char.yaml).", nameof(config));
        var (source, documents, split) = ReadSplit(config);
        tokenizer ??= language.Tokenizer.Trim().ToLowerInvariant() == "bpe"
            ? BpeTrainer.Train(split.Train.Select(i => documents[i].Text), new BpeTrainerOptions { VocabularySize = language.VocabularySize })
            // Every character of the corpus, held-out text included: a character vocabulary leaks nothing a model could learn from, and test text must encode.
            : CharTokenizer.FromCorpus(documents.Select(d => d.Text));
        return new LanguageModelData(source, Sha256(documents), split, documents, tokenizer, language.BlockSize);
    }

    /// <summary>
    /// The corpus's documents and their split by document (train, validation, test), as <see cref="Load"/> cuts them, without
    /// building a tokenizer: what evaluating a trained model on its held-out documents needs of its config.
    /// </summary>
    /// <exception cref="ArgumentException">The config has no language section.</exception>
    /// <exception cref="FileNotFoundException">The corpus does not exist.</exception>
    public static (string Source, IReadOnlyList<CorpusDocument> Documents, SplitIndices Split) ReadSplit(TrainingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var language = config.Language ?? throw new ArgumentException("The config has no language section; add language: { corpus: fortunes, tokenizer: char, blockSize: 64, … } (see samples/LanguageModel/fortunes-char.yaml).", nameof(config));
        language.Validate();
        var source = ResolveCorpus(language.Corpus);
        var format = language.Format.Trim().ToLowerInvariant() == "text" ? CorpusFormat.Text : CorpusFormat.Fortunes;
        var documents = Read(language, source, format);
        return (source, documents, DataSplits.Random(documents.Count, config.Data.Validation, config.Data.Test, config.Data.SplitSeed));
    }

    /// <summary>The fortune files of Debian's fortunes-zh package, left out of "fortunes" (English text).</summary>
    public static readonly IReadOnlyList<string> ChineseFortunes = ["chinese", "song100", "tang300"];

    private static IReadOnlyList<CorpusDocument> Read(LanguageConfig language, string source, CorpusFormat format)
    {
        if (format != CorpusFormat.Fortunes || !Directory.Exists(source))
            return language.Categories is null ? LanguageCorpus.Read(source, format)
                : throw new ArgumentException($"language.categories names fortune files of a folder, but the corpus '{source}' is not a fortunes folder; remove categories or point corpus at a folder of fortune files.");
        var categories = language.Categories;
        if (categories is null && source == FortunesCorpus.DebianFolder)
            categories = [.. Directory.EnumerateFiles(source).Select(Path.GetFileName).OfType<string>().Where(f => Path.GetExtension(f).Length == 0 && !ChineseFortunes.Contains(f))];
        return FortunesCorpus.ReadFolder(source, categories);
    }

    /// <summary>"fortunes" is Debian's fortune folder; anything else is a path.</summary>
    public static string ResolveCorpus(string corpus) =>
        corpus.Trim().Equals("fortunes", StringComparison.OrdinalIgnoreCase) ? FortunesCorpus.DebianFolder : corpus;

    /// <summary>
    /// The trainer's data: every non-overlapping window of the training stream (shuffled per pass by the trainer),
    /// <see cref="LanguageConfig.EvalIters"/> × <see cref="TrainingConfig.BatchSize"/> windows at random offsets of the
    /// validation stream (drawn once with <paramref name="seed"/>, so every validation scores the same text, as nanoGPT's
    /// estimate does with fresh draws), and every non-overlapping window of the test stream. Features and labels are
    /// (N, blockSize) int64; label[n, t] = feature[n, t + 1] within the stream.
    /// </summary>
    public LoadedData ToLoadedData(TrainingConfig config, long seed)
    {
        ArgumentNullException.ThrowIfNull(config);
        var language = config.Language ?? throw new ArgumentException("The config has no language section.", nameof(config));
        var (input, target) = Validation.RandomBatch(language.EvalIters * config.BatchSize, new Random(unchecked((int)seed)));
        var manifest = new DatasetManifest
        {
            Name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Source)),
            SourceSha256 = SourceSha256,
            Counts = new Dictionary<string, int>
            {
                ["train_documents"] = Split.Train.Count,
                ["validation_documents"] = Split.Validation.Count,
                ["test_documents"] = Split.Test.Count,
                ["train_tokens"] = (int)Train.TokenCount,
                ["validation_tokens"] = (int)Validation.TokenCount,
                ["test_tokens"] = (int)Test.TokenCount,
            },
            SplitSeeds = new Dictionary<string, long> { ["documents"] = config.Data.SplitSeed, ["validation_windows"] = seed },
            Notes = new Dictionary<string, string>
            {
                ["tokenizer"] = $"{language.Tokenizer.Trim().ToLowerInvariant()}, {Tokenizer.VocabularySize} tokens",
                ["block_size"] = language.BlockSize.ToString(CultureInfo.InvariantCulture),
            },
        };
        var split = new TrainingDataSplit(Source, SourceSha256, null, config.Data.Validation, config.Data.Test, config.Data.SplitSeed, Stratified: false);
        return new LoadedData(Windows(Train), new TensorDataset(input, target), Windows(Test), manifest, split, ModelTask.Classification);
    }

    /// <summary>Every non-overlapping window of a stream: features (W, T) and labels (W, T), W = (N − 1) / T.</summary>
    public static TensorDataset Windows(PackedSequenceDataset stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var block = stream.BlockSize;
        var windows = (stream.TokenCount - 1) / block;
        using var scope = NewDisposeScope();
        var features = stream.Tokens.narrow(0, 0, windows * block).view(windows, block).contiguous();  // (W, T)
        var labels = stream.Tokens.narrow(0, 1, windows * block).view(windows, block).contiguous();    // (W, T), shifted by one
        return new TensorDataset(features.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }

    private static string Sha256(IReadOnlyList<CorpusDocument> documents)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var document in documents)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(document.Text));
            hash.AppendData([0]); // a separator, so moving text between documents changes the hash
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
