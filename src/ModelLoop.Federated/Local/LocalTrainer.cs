using ModelLoop.Data;
using ModelLoop.Loop;
using ModelLoop.Modeling;
using ModelLoop.Training;

namespace ModelLoop.Federated.Local;

/// <summary>
/// A data owner's side of a round: load the global weights into its own copy of the job's model, train on its own
/// data with the core trainer (the job's optimizer, loss, batch size; FedProx as a <see cref="ProximalTerm"/> step
/// plugin), and return only the update w_local − w_global. The data never leaves this object.
/// </summary>
internal sealed class LocalTrainer : IDisposable
{
    private readonly TrainingConfig _config;
    private readonly TensorDataset _data;
    private readonly Model _model;

    /// <param name="outputs">The job's output width (class count), so every owner builds the same network even when its shard lacks classes.</param>
    public LocalTrainer(TrainingConfig config, TensorDataset data, int outputs)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
            throw new ArgumentException("A data owner needs at least one training sample; this one has 0. Give it data, or leave it out of the job.");
        _config = config;
        _data = data;
        _model = JobModel.Build(config, data.SampleShape, outputs);
        Fingerprint = ModelVector.Fingerprint(_model);
        Length = ModelVector.Length(_model);
    }

    public string Fingerprint { get; }
    public int Length { get; }
    public long Samples => _data.Count;

    /// <summary>Trains <paramref name="epochs"/> local epochs from <paramref name="global"/>; returns the update and the last epoch's loss.</summary>
    public (float[] Update, double Loss) Train(float[] global, int epochs, double mu, long seed)
    {
        ModelVector.Write(_model, global);
        var history = _model.Fit(_data, new FitOptions
        {
            Epochs = epochs,
            BatchSize = _config.BatchSize,
            Seed = seed,
            Progress = ProgressMode.Silent,
            Plugins = mu > 0 ? [new ProximalTerm(mu)] : [],
            Prefetch = 0,
        });
        var local = ModelVector.Read(_model);
        for (var i = 0; i < local.Length; i++)
            local[i] -= global[i];
        var loss = history.Epochs.Count > 0 && history.Epochs[^1].TryGetValue("loss", out var l) ? l : double.NaN;
        return (local, loss);
    }

    public void Dispose()
    {
        _model.Dispose();
        _data.Dispose();
    }
}
