using ModelLoop.Data;
using ModelLoop.Language.Data;
using ModelLoop.Modeling;
using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Language.Adapters;

/// <summary>
/// Fine-tunes a GPT with LoRA through the core trainer: fresh adapters are applied to the base, only they train
/// (<c>CompileOptions.Trainable</c> = <see cref="LoraAdapter.IsAdapterParameter"/>, so the base's parameters get no
/// gradient and stay out of AdamW), on random windows of the training stream with warmup + cosine and gradient
/// clipping; the validation loss is measured on the same windows before (the base alone: B = 0) and after.
/// The base model is left as it was (weights and requires_grad); it is left compiled for the fine-tuning.
/// </summary>
public static class LoraFineTuning
{
    /// <exception cref="ArgumentException">An option out of range, or datasets whose block size differs from the model's.</exception>
    public static LoraFineTuningResult Run(Model baseModel, PackedSequenceDataset train, PackedSequenceDataset validation, LoraFineTuningOptions? options = null, string? baseName = null)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        options ??= new LoraFineTuningOptions();
        if (options.MaxIterations < 1 || options.BatchSize < 1 || options.ValidationWindows < 1)
            throw new ArgumentException($"LoraFineTuningOptions.MaxIterations, BatchSize and ValidationWindows must be positive; received {options.MaxIterations}, {options.BatchSize}, {options.ValidationWindows}.", nameof(options));
        if (options.WarmupFraction is < 0 or >= 1)
            throw new ArgumentException($"LoraFineTuningOptions.WarmupFraction must be in [0, 1); received {options.WarmupFraction}.", nameof(options));
        var block = baseModel.InputShape[0];
        if (train.BlockSize != block || validation.BlockSize != block)
            throw new ArgumentException($"The datasets' block sizes ({train.BlockSize}, {validation.BlockSize}) differ from the model's context ({block}). Build them with blockSize {block}.", nameof(train));

        var requiresGrad = baseModel.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.requires_grad);
        manual_seed(options.Seed);
        var adapter = LoraAdapter.Create(baseModel, options.Lora, baseName);
        try
        {
            using var validationData = ValidationWindows(validation, options.ValidationWindows);
            var (windows, targets) = train.RandomBatch(options.MaxIterations * options.BatchSize, new Random((int)options.Seed)); // (N, block) each
            using var trainData = new TensorDataset(windows, targets);
            History history;
            double baseLoss, loss;
            using (adapter.ApplyTo(baseModel))
            {
                baseModel.Compile(OptimizerOptions.AdamW(options.LearningRate, options.WeightDecay), Loss.CrossEntropy(), options: new CompileOptions
                {
                    Trainable = LoraAdapter.IsAdapterParameter,
                    ClipGradientNorm = options.ClipGradientNorm,
                });
                baseLoss = baseModel.Evaluate(validationData)["loss"];
                history = baseModel.Fit(trainData, new FitOptions
                {
                    Epochs = 1,
                    BatchSize = options.BatchSize,
                    Shuffle = false, // the windows are random already
                    Seed = options.Seed,
                    Schedule = LearningRateSchedule.Cosine(warmupFraction: options.WarmupFraction),
                    Progress = options.Progress,
                });
                loss = baseModel.Evaluate(validationData)["loss"];
            }
            return new LoraFineTuningResult(adapter, baseLoss, loss, history);
        }
        catch
        {
            adapter.Dispose();
            throw;
        }
        finally
        {
            foreach (var (name, parameter) in baseModel.Network.named_parameters())
                parameter.requires_grad = requiresGrad.GetValueOrDefault(name, true);
        }
    }

    // Consecutive windows from the start of the validation stream, the same ones before and after training.
    private static TensorDataset ValidationWindows(PackedSequenceDataset validation, int most)
    {
        var inputs = new List<Tensor>();
        var targets = new List<Tensor>();
        long count = 0;
        foreach (var (input, target) in validation.SequentialBatches(64))
        {
            inputs.Add(input);
            targets.Add(target);
            count += input.shape[0];
            if (count >= most)
                break;
        }
        if (count == 0)
            throw new ArgumentException($"The validation stream ({validation.TokenCount} tokens) holds no whole window of {validation.BlockSize + 1} tokens. Hold out more text.", nameof(validation));
        using var allInputs = cat(inputs, 0);
        using var allTargets = cat(targets, 0);
        foreach (var t in inputs.Concat(targets))
            t.Dispose();
        var n = Math.Min(count, most);
        return new TensorDataset(allInputs[..(int)n].clone(), allTargets[..(int)n].clone());
    }
}
