using ModelLoop.Artifacts;
using ModelLoop.Language.Corpora;
using ModelLoop.Language.Data;
using ModelLoop.Language.Packaging;

namespace ModelLoop.Language.Adapters;

/// <summary>
/// LoRA on language-model packages (<see cref="LanguageModelPackage"/>): fine-tune a package's model on a corpus into an
/// adapter folder, and merge an adapter into a package. What <c>modelloop lm finetune</c> and <c>lm merge</c> run.
/// </summary>
public static class LoraWorkflow
{
    /// <summary>
    /// Loads the package at <paramref name="basePackage"/>, splits <paramref name="documents"/> by document (a
    /// <paramref name="validationShare"/> held out, seeded by the options' seed), trains an adapter
    /// (<see cref="LoraFineTuning.Run"/>) and saves it alone under <paramref name="outputDirectory"/>.
    /// </summary>
    public static LoraPackageFineTuning FineTune(string basePackage, IReadOnlyList<CorpusDocument> documents, string outputDirectory,
        LoraFineTuningOptions? options = null, double validationShare = 0.1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(basePackage);
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        options ??= new LoraFineTuningOptions();
        using var package = LanguageModelPackage.Load(basePackage);
        var block = (int)package.Model.InputShape[0];
        var split = CorpusSplit.ByDocument(documents, validationShare, (int)options.Seed);
        var (train, validation) = PackedSequenceDataset.Split(documents, package.Tokenizer, block, validationShare, (int)options.Seed);
        using (train)
        using (validation)
        {
            var result = LoraFineTuning.Run(package.Model, train, validation, options, Path.GetFullPath(basePackage));
            using var adapter = result.Adapter;
            var bytes = adapter.Save(outputDirectory);
            var weights = new FileInfo(Path.Combine(basePackage, LanguageModelPackage.ModelFolder, ModelArtifact.WeightsFile)).Length;
            return new LoraPackageFineTuning(result.BaseValidationLoss, result.ValidationLoss, adapter.ParameterCount, adapter.BaseParameterCount,
                bytes, weights, split.Train.Count, split.Validation.Count, outputDirectory);
        }
    }

    /// <summary>
    /// Writes a new package at <paramref name="outputPackage"/>: the base package's model with the adapter at
    /// <paramref name="adapterDirectory"/> merged into its weights, and the same tokenizer. Serves at the base's cost per token.
    /// </summary>
    /// <exception cref="LoraBaseMismatchException">The adapter was trained on another base.</exception>
    public static void Merge(string basePackage, string adapterDirectory, string outputPackage)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(basePackage);
        ArgumentException.ThrowIfNullOrWhiteSpace(adapterDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPackage);
        using var package = LanguageModelPackage.Load(basePackage);
        using var adapter = LoraAdapter.Load(adapterDirectory);
        adapter.MergeInto(package.Model);
        // The base's metadata minus its metrics, which describe the base, not the merged model.
        var metadata = package.Artifact.Metadata with
        {
            Metrics = new Dictionary<string, double>(),
            Description = $"{package.Artifact.Metadata.Description} + LoRA adapter {Path.GetFullPath(adapterDirectory)} (rank {adapter.Options.Rank}, α {adapter.Options.Alpha}) merged".Trim(),
            CreatedUtc = DateTimeOffset.UtcNow,
        };
        LanguageModelPackage.Save(package.Model, package.Tokenizer, outputPackage, metadata);
    }
}
