using ModelLoop.Artifacts;
using ModelLoop.Data.Preprocessing;

namespace ModelLoop.Loop;

/// <summary>
/// Where a run's data comes from and how it is cut: the source, the label, the task, and the train/validation/test
/// split (seeded, stratified by class for classification). Training fits on train, validates on validation each
/// epoch, and touches test only for the final evaluation.
/// </summary>
public sealed record DataConfig
{
    /// <summary>
    /// "fashion-mnist" (Debian's dataset-fashion-mnist), a folder of MNIST-family IDX files, a folder written by
    /// `modelloop data prepare`, or a .csv/.tsv file. Defaults to fashion-mnist.
    /// </summary>
    public string Source { get; init; } = "fashion-mnist";
    /// <summary>Label column of a table. Defaults to "target".</summary>
    public string Label { get; init; } = "target";
    /// <summary>Classification or regression. Defaults to null: regression when the loss is mse, else classification.</summary>
    public ModelTask? Task { get; init; }
    /// <summary>
    /// Share of the labelled rows (tables) or of the training images (image sets, whose test set is their own) held out
    /// for validation; 0 for none. Defaults to 0.1.
    /// </summary>
    public double Validation { get; init; } = 0.1;
    /// <summary>Share of a table's labelled rows held out for the final test. Image sets use their own test files. Defaults to 0.2.</summary>
    public double Test { get; init; } = 0.2;
    /// <summary>Seed of the split. Defaults to 1.</summary>
    public int SplitSeed { get; init; } = 1;
    /// <summary>Train on the first N training samples only (quick runs). Defaults to null (all).</summary>
    public int? Limit { get; init; }
    /// <summary>Standardize images per channel with the training images' mean and std. Defaults to false (pixels in [0, 1]).</summary>
    public bool NormalizeImages { get; init; }
    /// <summary>Scaling of numeric table columns. Defaults to standardization.</summary>
    public Scaling Scaling { get; init; } = Scaling.Standard;
    /// <summary>How text columns become features: a TF-IDF bag of words (Dense layers), or token ids (Embedding first). Defaults to BagOfWords.</summary>
    public TextEncoding TextEncoding { get; init; } = TextEncoding.BagOfWords;
    /// <summary>What a category unseen in training becomes at prediction time (serving answers 400 under Error). Defaults to Ignore.</summary>
    public UnknownCategoryPolicy UnknownCategories { get; init; } = UnknownCategoryPolicy.Ignore;
    /// <summary>
    /// Remove exact duplicate rows of a table before splitting, so one row cannot be in train and test. Defaults to false:
    /// every row is trained on as the file has it (`modelloop data prepare` removes them by default).
    /// </summary>
    public bool RemoveDuplicates { get; init; }
    /// <summary>
    /// Extra labelled sources added to the training part only (never to validation or test, so the source's own test
    /// rows stay the comparison set), e.g. feedback exports: a .csv/.tsv with the source table's raw columns and its
    /// label column (other columns are ignored, unlabelled rows dropped), or, for image data, a folder with one
    /// sub-folder per class (named as the class or by its index) of images, read at the source's image size and
    /// scaled to [0, 1] like the IDX files. They are encoded with the run's pipeline (fitted on the source's training
    /// rows, or the <see cref="TrainingConfig.InitFrom"/> package's), and the dataset manifest names each with its
    /// SHA-256 and row count. Relative paths are resolved like <see cref="Source"/>. Defaults to null (none; left out of
    /// the JSON, so configs without extra sources keep their hash).
    /// </summary>
    public IReadOnlyList<string>? ExtraTrain { get; init; }
    /// <summary>
    /// Keep only a seeded random sample of the source's training rows (after <see cref="Limit"/>), e.g. to mix a replay
    /// of the original data into fine-tuning on <see cref="ExtraTrain"/>: a value in (0, 1) is a fraction, a whole
    /// number ≥ 1 a row count (more than there are keeps all). Seeded by <see cref="SplitSeed"/>. Defaults to null (all rows).
    /// </summary>
    public double? Replay { get; init; }
}
