using ModelLoop.Language.Packaging;

namespace ModelLoop.Language.Adapters;

/// <summary>
/// LoRA adapters on language-model packages (<see cref="LanguageModelPackage"/>): merge an adapter into its base as a new
/// package, what <c>modelloop lm merge</c> runs. Fine-tuning is a training run: <see cref="LoraFineTuning.Run"/>.
/// </summary>
public static class LoraWorkflow
{
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
