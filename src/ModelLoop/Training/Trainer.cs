using System.Diagnostics;
using ModelLoop.Data;
using ModelLoop.Data.Loading;
using ModelLoop.Modeling;
using ModelLoop.Training.Callbacks;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Training;

/// <summary>
/// Runs the loops — the model says what, the trainer says how, callbacks add the rest. Everything that
/// can be checked is checked before the first step; every batch runs in a dispose scope, so native memory
/// stays flat across epochs.
/// </summary>
public sealed class Trainer
{
    private readonly Model _model;

    public Trainer(Model model) => _model = model ?? throw new ArgumentNullException(nameof(model));

    public History Fit(TensorDataset train, FitOptions options, TensorDataset? validation = null, IEnumerable<Callback>? callbacks = null)
    {
        var compiled = _model.Compiled ?? throw new InvalidOperationException("Call Compile(optimizer, loss, metrics) before Fit, e.g. model.Compile(\"adam\", \"cross_entropy\", [\"accuracy\"]).");
        Validate(train, options, compiled, "training");
        ValidateStepOptions(options);
        if (validation is not null)
            Validate(validation, options, compiled, "validation");

        var network = _model.Network;
        var device = _model.Device;
        var seed = options.Seed ?? Random.Shared.NextInt64(1, int.MaxValue);
        var history = new History { Seed = seed };
        var batchesPerEpoch = options.BatchesPerEpoch ?? (train.Count + options.BatchSize - 1) / options.BatchSize;
        var accumulate = options.AccumulateGradientBatches;
        // The schedule counts optimizer steps; an epoch's last step may take fewer batches than the others.
        var stepsPerEpoch = (batchesPerEpoch + accumulate - 1) / accumulate;
        var totalSteps = stepsPerEpoch * options.Epochs;
        var trainMetrics = compiled.Metrics.Select(m => m.Create()).ToArray();
        var groups = ParameterGrouping.Build(network, compiled);

        using var optimizer = compiled.Optimizer.Create(groups);
        string[] trainKeys = ["loss", .. trainMetrics.Select(m => m.Name)];
        var plugins = Plugins(options);
        string[] logKeys = [.. trainKeys, .. validation is null ? [] : trainKeys.Select(k => "val_" + k), "lr", "seconds", .. plugins.SelectMany(p => p.LogKeys)];
        var context = new TrainingContext(_model, optimizer, groups, options.Epochs, batchesPerEpoch, logKeys, Directions(trainMetrics, validation is not null))
        {
            BaseLearningRate = compiled.Optimizer.LearningRate,
        };
        // The caller's callbacks own checkpointed state; the progress display is added for running hooks only,
        // so resuming with another progress setting still matches state to the right callback.
        var userCallbacks = (callbacks ?? []).ToList();
        var allCallbacks = new List<Callback>(userCallbacks);
        if (options.Progress != ProgressMode.Silent)
            allCallbacks.Insert(0, new ProgressDisplay(options.Progress == ProgressMode.Auto));

        WarnAboutSmallConvolutions(network);
        torch.random.manual_seed(seed);
        foreach (var callback in allCallbacks)
            callback.OnTrainBegin(context);
        var firstEpoch = 0;
        TrainingCheckpoint.Header? resumed = null;
        if (options.CheckpointPath is { } checkpointPath && options.Resume && File.Exists(checkpointPath))
        {
            var state = resumed = TrainingCheckpoint.Load(checkpointPath, _model, optimizer, groups, userCallbacks, history);
            firstEpoch = state.EpochsCompleted;
            seed = history.Seed;
            context.BaseLearningRate = state.BaseLearningRate;
            history.ResumedFromEpoch = firstEpoch;
        }
        // Made after a resume: the seed is the checkpoint's, and plugins (the bfloat16 copy) start from the restored weights.
        var prefetch = options.Prefetch ?? (Environment.ProcessorCount > torch.get_num_threads() ? 2 : 0);
        var sampling = plugins.Any(p => p.Sampling == BatchSampling.Poisson) ? BatchSampling.Poisson : BatchSampling.Fixed;
        var loader = new DataLoader(train, new DataLoaderOptions { BatchSize = options.BatchSize, Shuffle = options.Shuffle, Seed = seed, Prefetch = prefetch, Sampling = sampling });
        var stepContext = new StepContext(_model, groups, accumulate, train.Count, options.BatchSize, options.Epochs, stepsPerEpoch);
        var step = new TrainingStep(_model, compiled, optimizer, stepContext, plugins);
        try
        {
            step.Begin();
            if (resumed is not null)
                TrainingCheckpoint.ApplyPluginState(resumed, options.Plugins);
            for (var epoch = firstEpoch; epoch < options.Epochs && !context.StopTraining; epoch++)
            {
                context.Epoch = step.Context.Epoch = epoch;
                foreach (var callback in allCallbacks)
                    callback.OnEpochBegin(context);
                var clock = Stopwatch.StartNew();
                network.train();
                foreach (var metric in trainMetrics)
                    metric.Reset();
                double lossSum = 0, rate = context.BaseLearningRate;
                long seen = 0, batch = 0;
                var batches = options.BatchesPerEpoch is { } perEpoch ? loader.Stream((long)epoch * perEpoch, perEpoch) : loader.Epoch(epoch);
                foreach (var data in batches)
                {
                    using var _ = data;
                    var startsStep = batch % accumulate == 0;
                    var endsStep = (batch + 1) % accumulate == 0 || batch == batchesPerEpoch - 1;
                    context.Batch = step.Context.Batch = batch;
                    if (startsStep)
                    {
                        var stepIndex = epoch * stepsPerEpoch + batch / accumulate;
                        step.Context.Step = stepIndex;
                        step.Context.BatchesInStep = (int)Math.Min(accumulate, batchesPerEpoch - batch);
                        rate = options.Schedule?.Rate(context.BaseLearningRate, stepIndex, totalSteps, stepsPerEpoch) ?? context.BaseLearningRate;
                        context.ApplyLearningRate(rate);
                    }
                    foreach (var callback in allCallbacks)
                        callback.OnBatchBegin(context);
                    using (var scope = NewDisposeScope())
                    {
                        var x = data.Features.to(device);
                        var y = data.Labels.to(device);
                        if (options.Augment is { } augment && data.Count > 0)
                            x = augment(x);
                        if (startsStep)
                            step.ZeroGradients();
                        if (data.Count == 0)
                        {
                            // A Poisson-sampled batch may be empty: nothing to learn from, but the step (and its noise) still runs.
                            if (endsStep)
                                step.Update();
                        }
                        else
                        {
                            var (output, lossValue) = step.Accumulate(x, y);
                            if (endsStep)
                                step.Update();
                            using (no_grad())
                            {
                                foreach (var metric in trainMetrics)
                                    metric.Update(output.detach(), y);
                            }
                            lossSum += lossValue * data.Count;
                            seen += data.Count;
                        }
                    }
                    context.Logs = new Dictionary<string, double> { ["loss"] = seen == 0 ? double.NaN : lossSum / seen };
                    foreach (var callback in allCallbacks)
                        callback.OnBatchEnd(context);
                    batch++;
                }

                var logs = new Dictionary<string, double> { ["loss"] = lossSum / seen };
                foreach (var metric in trainMetrics)
                    logs[metric.Name] = metric.Result();
                if (validation is not null)
                {
                    foreach (var (key, value) in Evaluate(validation, options.ValidationBatchSize))
                        logs["val_" + key] = value;
                }
                logs["lr"] = rate; // the rate of the epoch's last step, after the schedule
                logs["seconds"] = clock.Elapsed.TotalSeconds;
                foreach (var plugin in plugins)
                    foreach (var (key, value) in plugin.EpochLogs(step.Context) ?? new Dictionary<string, double>())
                        logs[key] = value;
                context.Logs = logs;
                history.Add(logs);
                foreach (var callback in allCallbacks)
                    callback.OnEpochEnd(context);
                if (options.CheckpointPath is { } path)
                    TrainingCheckpoint.Save(path, _model, optimizer, groups, userCallbacks, options.Plugins, history, epoch + 1, context.BaseLearningRate);
            }
        }
        finally
        {
            step.End();
        }
        history.StopReason = context.StopReason;
        foreach (var callback in allCallbacks)
            callback.OnTrainEnd(context);
        return history;
    }

    /// <summary>Loss and compiled metrics over a dataset, in evaluation mode, without gradients.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(TensorDataset data, int batchSize = 256)
    {
        var compiled = _model.Compiled ?? throw new InvalidOperationException("Call Compile before Evaluate so the loss and metrics are known.");
        Validate(data, new FitOptions { BatchSize = batchSize }, compiled, "evaluation");
        var metrics = compiled.Metrics.Select(m => m.Create()).ToArray();
        double lossSum = 0;
        var network = _model.Network;
        var wasTraining = network.training;
        network.eval();
        try
        {
            using var _ = no_grad();
            for (long start = 0; start < data.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var count = Math.Min(batchSize, data.Count - start);
                var x = data.Features.narrow(0, start, count).to(_model.Device);
                var y = data.Labels.narrow(0, start, count).to(_model.Device);
                var output = network.forward(x);
                lossSum += compiled.Loss.Compute(output, y).item<float>() * count;
                foreach (var metric in metrics)
                    metric.Update(output, y);
            }
        }
        finally
        {
            network.train(wasTraining);
        }
        var result = new Dictionary<string, double> { ["loss"] = lossSum / data.Count };
        foreach (var metric in metrics)
            result[metric.Name] = metric.Result();
        return result;
    }

    /// <summary>Raw model outputs for the inputs, in evaluation mode, batch by batch, on the CPU.</summary>
    public Tensor Predict(Tensor inputs, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"Predict needs a batchSize of at least 1; received {batchSize}. Pass e.g. 256, or leave the default.");
        var expected = _model.InputShape;
        if (inputs.dim() != expected.Rank + 1 || !inputs.shape.Skip(1).SequenceEqual(expected.Dims))
            throw new ModelBuildException($"Predict expects inputs of shape (N, {string.Join(", ", expected.Dims)}); received [{string.Join(", ", inputs.shape)}].");
        var expectedDtype = _model.InputKind == InputKind.TokenIds ? ScalarType.Int64 : ScalarType.Float32;
        if (inputs.dtype != expectedDtype)
            throw new ArgumentException($"Predict expects {expectedDtype} inputs for this model ({_model.InputKind}); received {inputs.dtype}. Convert with .to(ScalarType.{expectedDtype}).");
        var network = _model.Network;
        var wasTraining = network.training;
        network.eval();
        try
        {
            using var _ = no_grad();
            var parts = new List<Tensor>();
            for (long start = 0; start < inputs.shape[0]; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var count = Math.Min(batchSize, inputs.shape[0] - start);
                parts.Add(network.forward(inputs.narrow(0, start, count).to(_model.Device)).cpu().MoveToOuterDisposeScope());
            }
            var result = cat(parts, 0);
            parts.ForEach(p => p.Dispose());
            return result;
        }
        finally
        {
            network.train(wasTraining);
        }
    }

    private void Validate(TensorDataset data, FitOptions options, CompileOptions compiled, string what)
    {
        if (data.Count == 0)
            throw new ArgumentException($"The {what} data is empty (0 samples). Load data before calling Fit.");
        if (options.Epochs < 1 || options.BatchSize < 1)
            throw new ArgumentException($"Epochs and BatchSize must be at least 1; received Epochs={options.Epochs}, BatchSize={options.BatchSize}.");
        if (options.ValidationBatchSize < 1)
            throw new ArgumentException($"ValidationBatchSize must be at least 1; received {options.ValidationBatchSize}. Leave it at its default (256) or pass a positive number.");
        if (!data.SampleShape.Equals(_model.InputShape))
            throw new ModelBuildException($"The {what} data has samples of shape {data.SampleShape} but the model's input is {_model.InputShape}. Reshape the data or change the model's input shape (first layer: '{_model.LayerSummaries[0].Name}').");
        var expectedDtype = _model.InputKind == InputKind.TokenIds ? ScalarType.Int64 : ScalarType.Float32;
        if (data.Features.dtype != expectedDtype)
            throw new ArgumentException($"The {what} features are {data.Features.dtype}; this model takes {expectedDtype} ({_model.InputKind}). Convert with .to(ScalarType.{expectedDtype}).");
        compiled.Loss.Validate(_model.OutputShape, data);
    }

    /// <summary>
    /// libtorch 2.10's CPU convolution backward (oneDNN) has been seen here to return NaN gradients, at a
    /// random step, for convolutions with 2–15 input channels when more than one thread runs (16+ channels
    /// and single-threaded runs are fine; a first layer on raw images needs no input gradient and is fine).
    /// Say so before training rather than let the run fail later with a NaN loss.
    /// </summary>
    private static void WarnAboutSmallConvolutions(nn.Module network)
    {
        if (torch.get_num_threads() < 2)
            return;
        var small = network.named_parameters()
            .Where(p => p.parameter.dim() == 4 && p.parameter.shape[1] is > 1 and < 16 && p.name.EndsWith("weight", StringComparison.Ordinal))
            .Select(p => $"{p.name} ({p.parameter.shape[1]} input channels)")
            .ToList();
        if (small.Count > 0)
            Console.Error.WriteLine(
                $"warning: {string.Join(", ", small)}: convolutions with 2–15 input channels can get NaN gradients from libtorch 2.10's multi-threaded CPU kernels " +
                "(see docs/architecture.md, Known issues). Use 16 or more channels, or TorchRuntime.Threads = 1, if the loss turns NaN.");
    }

    private static void ValidateStepOptions(FitOptions options)
    {
        if (options.AccumulateGradientBatches < 1)
            throw new ArgumentException($"AccumulateGradientBatches must be at least 1 (1 = a step per batch); received {options.AccumulateGradientBatches}.");
        if (options.Prefetch is < 0)
            throw new ArgumentException($"Prefetch must be ≥ 0 batches (0 = gather each batch on the training thread), or null to decide by the free cores; received {options.Prefetch}.");
        if (options.BatchesPerEpoch is < 1)
            throw new ArgumentException($"BatchesPerEpoch must be at least 1 when given (null = one pass over the data); received {options.BatchesPerEpoch}.");
        if (options.Plugins is null || options.Plugins.Any(p => p is null))
            throw new ArgumentException("FitOptions.Plugins must not be null or hold null entries; pass [] for none.");
    }

    /// <summary>The caller's plugins, with a <see cref="BFloat16Plugin"/> added last (innermost) for bfloat16 unless they listed one.</summary>
    private static IReadOnlyList<StepPlugin> Plugins(FitOptions options) =>
        options.Precision == Precision.BFloat16 && !options.Plugins.OfType<BFloat16Plugin>().Any()
            ? [.. options.Plugins, new BFloat16Plugin()]
            : options.Plugins;

    /// <summary>Which way each logged metric improves, as the metric says; "loss" is lower-is-better.</summary>
    private static Dictionary<string, MetricDirection> Directions(IEnumerable<Metric> metrics, bool validated)
    {
        var directions = new Dictionary<string, MetricDirection> { ["loss"] = MetricDirection.LowerIsBetter };
        foreach (var metric in metrics)
            directions[metric.Name] = metric.Direction;
        if (validated)
        {
            foreach (var (key, direction) in directions.ToList())
                directions["val_" + key] = direction;
        }
        return directions;
    }
}
