using System.Globalization;
using ModelLoop.Contracts;
using ModelLoop.Data;
using ModelLoop.Data.Preprocessing;

namespace ModelLoop.Artifacts;

/// <summary>
/// How to read a model package's outputs: its task, its class names or output names, whether a binary classifier
/// has one logit, and its fitted preprocessing pipeline. <see cref="From"/> is the one place that derives these
/// from an artifact's metadata; serving, evaluation and demos ask it instead of guessing.
/// </summary>
public sealed record PackageInfo
{
    /// <summary>Classification or regression.</summary>
    public required ModelTask Task { get; init; }

    /// <summary>Values per item in the model's output (the product of the output shape).</summary>
    public required int OutputWidth { get; init; }

    /// <summary>Class names in class-index order, for a classifier that knows them; null: classes are named by their index.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>One name per output value of a regression model; null: "output0", "output1"….</summary>
    public IReadOnlyList<string>? OutputNames { get; init; }

    /// <summary>
    /// True for a binary classifier with one output: it is the logit of class 1 (probability = sigmoid), class 0
    /// has the rest. False for a classifier with one logit per class (probabilities = softmax).
    /// </summary>
    public bool SingleLogitBinary { get; init; }

    /// <summary>The fitted preprocessing pipeline the package carries, or null for none.</summary>
    public PreprocessingPipeline? Pipeline { get; init; }

    /// <summary>Number of classes of a classifier (2 for a single-logit binary one); 0 for regression.</summary>
    public int ClassCount => Task != ModelTask.Classification ? 0 : SingleLogitBinary ? 2 : OutputWidth;

    /// <summary>
    /// Reads an artifact's metadata: the pipeline's label decides the task (<see cref="LabelKind.ClassIndex"/>:
    /// classification with its classes as class names; <see cref="LabelKind.Value"/>: regression named after the
    /// label). Without a label, the recorded <see cref="ArtifactMetadata.Task"/> decides (one output of a classifier is
    /// a binary logit), and for packages saved without one an output of one value is a regression and a flat output of
    /// several values a classifier; the output schema's names then name the classes or the outputs.
    /// </summary>
    /// <exception cref="ArgumentException">The metadata has no output schema (<see cref="ModelArtifact.Save"/> always writes one).</exception>
    /// <exception cref="FormatException">The preprocessing JSON is not a readable pipeline.</exception>
    /// <exception cref="InvalidDataException">The label's classes do not fit the model's output width.</exception>
    public static PackageInfo From(ArtifactMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var output = metadata.Output
            ?? throw new ArgumentException("The artifact metadata has no output schema; load the artifact with ModelArtifact.Load, or save it with ModelArtifact.Save, which fills it in.", nameof(metadata));
        var width = checked((int)output.Shape.Aggregate(1L, (a, b) => a * b));
        var pipeline = metadata.Preprocessing is { } json ? PreprocessingPipeline.FromJson(json.ToJsonString()) : null;
        switch (pipeline?.Label)
        {
            case { Kind: LabelKind.ClassIndex } label when label.Classes.Count == width:
                return new PackageInfo { Task = ModelTask.Classification, OutputWidth = width, ClassNames = label.Classes, Pipeline = pipeline };
            case { Kind: LabelKind.ClassIndex } label when label.Classes.Count == 2 && width == 1:
                return new PackageInfo { Task = ModelTask.Classification, OutputWidth = width, ClassNames = label.Classes, SingleLogitBinary = true, Pipeline = pipeline };
            case { Kind: LabelKind.ClassIndex } label:
                throw new InvalidDataException($"The package's label '{label.Name}' has {label.Classes.Count} classes but its model outputs {width} values per item; expected {label.Classes.Count} (one logit per class){(label.Classes.Count == 2 ? " or 1 (a binary classifier)" : "")}. Package the model with the pipeline it was trained on.");
            case { Kind: LabelKind.Value } label:
                return new PackageInfo { Task = ModelTask.Regression, OutputWidth = width, OutputNames = output.Names ?? (width == 1 ? [label.Name] : null), Pipeline = pipeline };
        }
        // No label in the pipeline (images, or a package saved without one): the recorded task, else the output's form.
        var task = metadata.Task ?? (width > 1 && output.Shape.Length == 1 ? ModelTask.Classification : ModelTask.Regression);
        if (task == ModelTask.Classification && width == 1)
            return new PackageInfo { Task = task, OutputWidth = width, ClassNames = null, SingleLogitBinary = true, Pipeline = pipeline };
        return task == ModelTask.Classification
            ? new PackageInfo { Task = ModelTask.Classification, OutputWidth = width, ClassNames = output.Names, Pipeline = pipeline }
            : new PackageInfo { Task = ModelTask.Regression, OutputWidth = width, OutputNames = output.Shape.Length == 1 ? output.Names : null, Pipeline = pipeline };
    }

    /// <summary>The label of class <paramref name="index"/>: its name, or the index as text when the package names no classes.</summary>
    public string Label(int index) => ClassNames is { } names ? names[index] : index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The name of regression output <paramref name="index"/>: its name, or "output{index}".</summary>
    public string OutputName(int index) => OutputNames is { } names ? names[index] : "output" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// One item's prediction as a user reads it, from its <see cref="OutputWidth"/> outputs: a classifier's label,
    /// class and probability of every class by label (<see cref="Classify"/>); a regression model's values by output name.
    /// </summary>
    public ItemPrediction Decode(ReadOnlySpan<float> outputs)
    {
        if (Task == ModelTask.Classification)
        {
            var (predicted, probabilities) = Classify(outputs);
            var byLabel = new Dictionary<string, float>(probabilities.Length, StringComparer.Ordinal);
            for (var c = 0; c < probabilities.Length; c++)
                byLabel[Label(c)] = probabilities[c];
            return new ItemPrediction { Label = Label(predicted), Class = predicted, Probabilities = byLabel };
        }
        if (outputs.Length != OutputWidth)
            throw new ArgumentException($"Expected {OutputWidth} outputs (one item's); received {outputs.Length}.", nameof(outputs));
        var values = new Dictionary<string, float>(outputs.Length, StringComparer.Ordinal);
        for (var j = 0; j < outputs.Length; j++)
            values[OutputName(j)] = outputs[j];
        return new ItemPrediction { Values = values };
    }

    /// <summary>
    /// One item's predicted class and the probability of each class (<see cref="ClassCount"/> values) from its
    /// <see cref="OutputWidth"/> logits: softmax, or the sigmoid of a single-logit binary classifier. Ties go to the
    /// lower class index.
    /// </summary>
    /// <exception cref="InvalidOperationException">The package is not a classifier.</exception>
    public (int Class, float[] Probabilities) Classify(ReadOnlySpan<float> logits)
    {
        if (Task != ModelTask.Classification)
            throw new InvalidOperationException($"This package is a {Task} model; only a classifier's outputs have classes. Read its outputs as values (OutputName).");
        if (logits.Length != OutputWidth)
            throw new ArgumentException($"Expected {OutputWidth} logits (one item's outputs); received {logits.Length}.", nameof(logits));
        if (SingleLogitBinary)
        {
            var p = 1 / (1 + Math.Exp(-logits[0]));
            return (p >= 0.5 ? 1 : 0, [(float)(1 - p), (float)p]);
        }
        var max = float.NegativeInfinity;
        var best = 0;
        for (var i = 0; i < logits.Length; i++)
        {
            if (logits[i] > max)
                (max, best) = (logits[i], i);
        }
        // Shifted by the largest logit so exp never overflows.
        var exp = new double[logits.Length];
        var sum = 0.0;
        for (var i = 0; i < logits.Length; i++)
            sum += exp[i] = Math.Exp(logits[i] - max);
        var probabilities = new float[logits.Length];
        for (var i = 0; i < logits.Length; i++)
            probabilities[i] = (float)(exp[i] / sum);
        return (best, probabilities);
    }
}
