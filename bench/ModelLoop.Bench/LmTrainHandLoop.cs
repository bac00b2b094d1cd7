using System.Diagnostics;
using ModelLoop.Data;
using ModelLoop.Data.Loading;
using ModelLoop.Language.Training;
using ModelLoop.Loop;
using ModelLoop.Modeling;
using ModelLoop.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace ModelLoop.Bench;

/// <summary>
/// The `lm-train` bench's hand-written side, what a TorchSharp user writes: the model from the same spec and seed,
/// AdamW with nanoGPT's two groups (decay on matrices and embeddings, none on biases and LayerNorms), the trainer's
/// batches (same loader, same seed), the same schedule and clipping, and validation on the same windows after every
/// interval. Runs one interval per <see cref="Interval"/> call so the bench can interleave it with the other sides.
/// </summary>
internal sealed class LmTrainHandLoop : IDisposable
{
    private readonly TrainingConfig _config;
    private readonly Model _model;
    private readonly List<TorchSharp.Modules.Parameter> _parameters;
    private readonly TorchSharp.Modules.AdamW _optimizer;
    private readonly LearningRateSchedule _schedule;
    private readonly TensorDataset _train;
    private readonly LoadedData _loaded;
    private readonly DataLoader _loader;
    private int _interval;

    public LmTrainHandLoop(TrainingConfig config, LanguageModelData data)
    {
        _config = config;
        var seed = config.Seed ?? 1;
        random.manual_seed(seed);
        _model = Model.FromSpec(ModelSpec.FromJson(config.Model.Spec!.ToJsonString()));
        var network = _model.Network;
        _parameters = network.parameters().ToList();
        var decay = config.Optimizer.WeightDecay ?? 0.01;
        var groups = new[]
        {
            new TorchSharp.Modules.AdamW.ParamGroup(_parameters.Where(p => p.dim() >= 2), new TorchSharp.Modules.AdamW.Options { weight_decay = decay }),
            new TorchSharp.Modules.AdamW.ParamGroup(_parameters.Where(p => p.dim() < 2), new TorchSharp.Modules.AdamW.Options { weight_decay = 0 }),
        };
        _optimizer = optim.AdamW(groups, config.Optimizer.LearningRate ?? 1e-3, 0.9, config.Optimizer.Beta2 ?? 0.999, 1e-8, decay);
        _schedule = LearningRateSchedule.Cosine(config.Schedule?.MinRate ?? 0, config.Schedule?.WarmupFraction ?? 0);
        _train = LanguageModelData.Windows(data.Train);
        _loaded = data.ToLoadedData(config, config.Data.SplitSeed);
        _loader = new DataLoader(_train, new DataLoaderOptions { BatchSize = config.BatchSize, Shuffle = true, Seed = seed, Prefetch = 0 });
    }

    public nn.Module<Tensor, Tensor> Network => _model.Network;

    /// <summary>Trains the next interval (eval_interval steps, then a validation); returns its seconds.</summary>
    public double Interval()
    {
        var language = _config.Language!;
        var interval = language.StepsPerEpoch;
        var network = _model.Network;
        var rate0 = _config.Optimizer.LearningRate ?? 1e-3;
        var clock = Stopwatch.StartNew();
        network.train();
        var step = (long)_interval * interval;
        foreach (var batch in _loader.Stream(step, interval))
        {
            using var _ = batch;
            using var scope = NewDisposeScope();
            var rate = _schedule.Rate(rate0, step++, language.MaxIters, interval);
            foreach (var group in _optimizer.ParamGroups)
                group.LearningRate = rate;
            _optimizer.zero_grad();
            var logits = network.forward(batch.Features); // (B, T, V)
            var loss = F.cross_entropy(logits.reshape(-1, logits.shape[2]), batch.Labels.reshape(-1));
            loss.backward();
            nn.utils.clip_grad_norm_(_parameters, _config.ClipGradientNorm ?? 1e9);
            _optimizer.step();
            loss.item<float>();
        }
        LmTrainBench.MeanLoss(network, _loaded.Validation!);
        _interval++;
        return clock.Elapsed.TotalSeconds;
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _loaded.Dispose();
        _train.Dispose();
        _model.Dispose();
    }
}
