using ModelLoop.Data;
using ModelLoop.Modeling;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace ModelLoop.Training;

/// <summary>
/// A training objective. Create with <see cref="CrossEntropy"/>, <see cref="BinaryCrossEntropy"/>,
/// <see cref="MeanSquaredError"/>, or from a name: <c>Loss loss = "cross_entropy";</c>.
/// </summary>
public abstract record Loss
{
    /// <summary>Multi-class classification from logits; labels are class indices (int64).</summary>
    /// <param name="labelSmoothing">In [0, 1): mass moved from the true class to all classes. Defaults to 0.</param>
    public static Loss CrossEntropy(double labelSmoothing = 0) => new CrossEntropyLoss(labelSmoothing);

    /// <summary>Binary classification; one output per sample, labels 0 or 1.</summary>
    /// <param name="fromLogits">True when the model outputs logits (no sigmoid). Defaults to false (probabilities).</param>
    public static Loss BinaryCrossEntropy(bool fromLogits = false) => new BinaryCrossEntropyLoss(fromLogits);

    /// <summary>Regression; targets have the output's shape.</summary>
    public static Loss MeanSquaredError() => new MeanSquaredErrorLoss();

    public static Loss Parse(string name) => name.Trim().ToLowerInvariant().Replace("-", "_") switch
    {
        "cross_entropy" or "crossentropy" or "categorical_crossentropy" or "sparse_categorical_crossentropy" => CrossEntropy(),
        "binary_cross_entropy" or "binary_crossentropy" or "bce" => BinaryCrossEntropy(),
        "mse" or "mean_squared_error" => MeanSquaredError(),
        _ => throw new ArgumentException($"Unknown loss '{name}'. Expected one of: cross_entropy, binary_cross_entropy, mse.", nameof(name)),
    };

    public static implicit operator Loss(string name) => Parse(name);

    /// <summary>Mean loss over the batch (a scalar).</summary>
    internal abstract Tensor Compute(Tensor output, Tensor target);

    /// <summary>Checks, before the first step, that the labels suit this loss and the model's output.</summary>
    internal abstract void Validate(Shape output, TensorDataset data);
}

internal sealed record CrossEntropyLoss(double LabelSmoothing) : Loss
{
    // A sequence model's (B, T, classes) logits and (B, T) targets are scored as B·T independent predictions
    // (a language model's next-token loss, averaged over every position).
    internal override Tensor Compute(Tensor output, Tensor target) => output.dim() == 3
        ? F.cross_entropy(output.reshape(-1, output.shape[2]), target.reshape(-1), label_smoothing: LabelSmoothing)
        : F.cross_entropy(output, target, label_smoothing: LabelSmoothing);

    internal override void Validate(Shape output, TensorDataset data)
    {
        if (LabelSmoothing < 0 || LabelSmoothing >= 1)
            throw new ArgumentException($"Cross-entropy label smoothing must be in [0, 1); received {LabelSmoothing}.");
        if (output.Rank == 2 && data.Labels.dim() == 2)
        {
            ValidateSequence(output, data);
            return;
        }
        if (output.Rank != 1)
            throw new ModelBuildException($"Cross-entropy expects the model to output one logit per class, shape (classes); the model outputs {output}. End the model with Flatten and Dense(classes).");
        if (data.Labels.dtype != ScalarType.Int64 || data.Labels.dim() != 1)
            throw new ArgumentException($"Cross-entropy expects labels as class indices: a 1-D int64 tensor; received {data.Labels.dtype} with shape [{string.Join(", ", data.Labels.shape)}].");
        var (min, max) = data.LabelRange();
        if (min < 0 || max >= output[0])
            throw new ArgumentException($"Labels must be class indices in [0, {output[0] - 1}] for a model with {output[0]} outputs; received labels from {min} to {max}. Fix the labels or set the last Dense to {max + 1} units.");
    }

    /// <summary>A (T, classes) output takes (N, T) int64 targets: one class index per position.</summary>
    private static void ValidateSequence(Shape output, TensorDataset data)
    {
        if (data.Labels.dtype != ScalarType.Int64 || data.Labels.shape[1] != output[0])
            throw new ArgumentException($"Cross-entropy over a sequence output {output} expects targets of shape (N, {output[0]}), int64 class indices per position; received {data.Labels.dtype} with shape [{string.Join(", ", data.Labels.shape)}].");
        var (min, max) = data.LabelRange();
        if (min < 0 || max >= output[1])
            throw new ArgumentException($"Targets must be class (token) indices in [0, {output[1] - 1}] for a model with {output[1]} outputs per position; received targets from {min} to {max}. Use the tokenizer's vocabulary size as the model's.");
    }
}

internal sealed record BinaryCrossEntropyLoss(bool FromLogits) : Loss
{
    internal override Tensor Compute(Tensor output, Tensor target)
    {
        using var t = target.reshape(output.shape).to(output.dtype);
        return FromLogits
            ? F.binary_cross_entropy_with_logits(output, t)
            : F.binary_cross_entropy(output.clamp(1e-7, 1 - 1e-7), t);
    }

    internal override void Validate(Shape output, TensorDataset data)
    {
        if (output.Elements != 1)
            throw new ModelBuildException($"Binary cross-entropy expects one output per sample; the model outputs {output}. End the model with Dense(1, Activation.Sigmoid).");
        var (min, max) = data.LabelRange();
        if (min < 0 || max > 1)
            throw new ArgumentException($"Binary cross-entropy expects labels 0 or 1; received labels from {min} to {max}.");
    }
}

internal sealed record MeanSquaredErrorLoss : Loss
{
    internal override Tensor Compute(Tensor output, Tensor target)
    {
        using var t = target.reshape(output.shape).to(output.dtype);
        return F.mse_loss(output, t);
    }

    internal override void Validate(Shape output, TensorDataset data)
    {
        var perSample = data.Labels.dim() == 1 ? 1 : data.Labels.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        if (perSample != output.Elements)
            throw new ArgumentException($"Mean squared error expects {output.Elements} target value(s) per sample to match the model output {output}; received targets of shape [{string.Join(", ", data.Labels.shape)}].");
    }
}
