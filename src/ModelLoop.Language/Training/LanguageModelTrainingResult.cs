using ModelLoop.Loop;

namespace ModelLoop.Language.Training;

/// <summary>
/// What <see cref="LanguageModelTraining.Run"/> produced: the <see cref="TrainingJob"/>'s result (run folder, history,
/// test metrics, run id, registered version) and the data's sizes.
/// </summary>
/// <param name="Training">The job's result; <see cref="TrainingResult.RunDirectory"/> is a language-model package.</param>
/// <param name="VocabularySize">The tokenizer's vocabulary size (the model's output width).</param>
/// <param name="TrainDocuments">Documents trained on.</param>
/// <param name="ValidationDocuments">Documents validated on.</param>
/// <param name="TestDocuments">Documents of the final test.</param>
/// <param name="TrainTokens">Tokens in the training stream.</param>
public sealed record LanguageModelTrainingResult(TrainingResult Training, int VocabularySize, int TrainDocuments, int ValidationDocuments, int TestDocuments, long TrainTokens)
{
    /// <summary>The run folder: artifact/ (the model) and tokenizer/, readable by <see cref="Packaging.LanguageModelPackage.Load"/>.</summary>
    public string PackageDirectory => Training.RunDirectory;

    /// <summary>For a LoRA fine-tune (language.lora): the base's losses beside the fine-tuned model's, and the adapter saved alone. Defaults to null.</summary>
    public Adapters.LoraFineTuningResult? Lora { get; init; }
}
