using System.Globalization;
using ModelLoop.Data;
using ModelLoop.Federated.Aggregation;
using ModelLoop.Federated.Grains;
using ModelLoop.Federated.Local;
using ModelLoop.Federated.Secure;
using ModelLoop.Loop;

namespace ModelLoop.Federated;

/// <summary>
/// A data owner: its own data and its own copy of the job's model, reachable from the cluster as an Orleans observer
/// behind its <see cref="IDataOwnerGrain"/>. Each round it downloads the global weights in chunks, trains locally with
/// the core trainer, and uploads only its update (or, with secure aggregation, its masked update) in chunks.
/// </summary>
public sealed class DataOwner : IDataOwnerObserver, IDisposable
{
    private readonly IGrainFactory _grains;
    private readonly string _job;
    private readonly LocalTrainer _trainer;
    private readonly DataOwnerOptions _options;
    private readonly SemaphoreSlim _busy = new(1, 1);
    private SecureAggregationClient? _secure;
    private int _secureRound;
    private IDataOwnerObserver? _reference;

    /// <param name="data">The owner's training data; the owner takes ownership.</param>
    /// <param name="outputs">The job's output width (class count).</param>
    public DataOwner(IGrainFactory grains, string job, string id, TrainingConfig config, TensorDataset data, int outputs, DataOwnerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentException.ThrowIfNullOrEmpty(job);
        if (string.IsNullOrEmpty(id) || id.Contains('/'))
            throw new ArgumentException($"A data owner id must be non-empty and without '/'; received '{id}'.", nameof(id));
        (_grains, _job, Id, _options) = (grains, job, id, options ?? new DataOwnerOptions());
        _trainer = new LocalTrainer(config, data, outputs);
    }

    public string Id { get; }
    public long Samples => _trainer.Samples;
    /// <summary>The model's fingerprint, which the coordinator checks against the job's.</summary>
    public string Fingerprint => _trainer.Fingerprint;

    private IDataOwnerGrain Grain => _grains.GetGrain<IDataOwnerGrain>($"{_job}/{Id}");
    private IFederatedCoordinatorGrain Coordinator => _grains.GetGrain<IFederatedCoordinatorGrain>(_job);

    /// <summary>Registers with the job (the coordinator checks the model) through an observer reference made by <paramref name="client"/>.</summary>
    public async Task ConnectAsync(IGrainFactory client)
    {
        _reference ??= client.CreateObjectReference<IDataOwnerObserver>(this);
        await Grain.ConnectAsync(_reference, Fingerprint, _trainer.Length, Samples);
    }

    public async Task DisconnectAsync(IGrainFactory client)
    {
        await Grain.DisconnectAsync();
        if (_reference is not null)
            client.DeleteObjectReference<IDataOwnerObserver>(_reference);
        _reference = null;
    }

    /// <summary>The last round this owner uploaded an update (or masked input) for; 0 before its first.</summary>
    public int LastRound { get; private set; }

    public async Task<LocalReport> TrainAsync(RoundPlan plan)
    {
        Fail(DataOwnerStep.Train);
        // Plain FedAvg uploads the raw update Δ; the coordinator weights it by the sample count.
        var (update, loss) = await Train(plan);
        var chunks = 0;
        for (var start = 0; start < update.Length; start += plan.ChunkSize, chunks++)
            await Coordinator.SubmitUpdateChunkAsync(plan.Round, Id, chunks, update.AsSpan(start, Math.Min(plan.ChunkSize, update.Length - start)).ToArray());
        Uploaded(plan.Round, chunks, (long)update.Length * sizeof(float));
        return new LocalReport(Id, Samples, loss, chunks);
    }

    public Task<KeyAdvertisement> AdvertiseKeysAsync(string job, int round)
    {
        Fail(DataOwnerStep.AdvertiseKeys);
        _secure?.Dispose();
        _secure = new SecureAggregationClient(Id, round);
        _secureRound = round;
        return Task.FromResult(_secure.Advertise());
    }

    public Task<List<EncryptedShare>> ShareKeysAsync(string job, int round, List<KeyAdvertisement> roster, int threshold)
    {
        Fail(DataOwnerStep.ShareKeys);
        return Task.FromResult(Secure(round).ShareKeys(roster, threshold).ToList());
    }

    public async Task<LocalReport> TrainMaskedAsync(RoundPlan plan, List<EncryptedShare> shares)
    {
        var secure = Secure(plan.Round);
        var (update, loss) = await Train(plan);
        Fail(DataOwnerStep.MaskedInput);
        // [w·Δ, w]: the weighted update and its weight, so the coordinator can renormalize the sum after dropouts.
        var weight = Weight(plan);
        var weighted = new float[update.Length + 1];
        for (var i = 0; i < update.Length; i++)
            weighted[i] = (float)(update[i] * weight);
        weighted[^1] = (float)weight;
        var encoded = new uint[weighted.Length];
        FederatedCoordinatorGrain.SecureEncoding.Encode(weighted, encoded);
        var masked = secure.Mask(encoded, shares);
        var chunks = 0;
        for (var start = 0; start < masked.Length; start += plan.ChunkSize, chunks++)
            await Coordinator.SubmitMaskedChunkAsync(plan.Round, Id, chunks, masked.AsSpan(start, Math.Min(plan.ChunkSize, masked.Length - start)).ToArray());
        Uploaded(plan.Round, chunks, (long)masked.Length * sizeof(uint));
        return new LocalReport(Id, Samples, loss, chunks);
    }

    public Task<UnmaskShares> UnmaskAsync(string job, int round, List<string> survivors, List<string> dropped)
    {
        Fail(DataOwnerStep.Unmask);
        return Task.FromResult(Secure(round).Unmask(survivors, dropped));
    }

    /// <summary>Downloads the global weights in chunks and trains on them; one round at a time.</summary>
    private async Task<(float[] Update, double Loss)> Train(RoundPlan plan)
    {
        if (plan.Length != _trainer.Length)
            throw new ArgumentException($"Job '{plan.Job}' trains {plan.Length:N0} parameters; owner '{Id}''s model has {_trainer.Length:N0}. Build the owner's model from the job's config.");
        _options.Log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{Id}: round {plan.Round}: training {_options.LocalEpochs ?? plan.LocalEpochs} local epoch(s) on {Samples} samples"));
        if (_options.Delay > TimeSpan.Zero)
            await Task.Delay(_options.Delay);
        var global = new float[plan.Length];
        for (int index = 0, start = 0; start < plan.Length; index++, start += plan.ChunkSize)
            (await Coordinator.GetWeightsChunkAsync(index)).CopyTo(global, start);
        await _busy.WaitAsync();
        try
        {
            // Training is CPU-bound native work: off the Orleans scheduler thread.
            var (update, loss) = await Task.Run(() => _trainer.Train(global, _options.LocalEpochs ?? plan.LocalEpochs, plan.Mu, plan.Seed));
            if (plan.ClipNorm is { } clip)
                ServerUpdate.Clip(update, clip);
            return (update, loss);
        }
        finally
        {
            _busy.Release();
        }
    }

    private void Uploaded(int round, int chunks, long bytes)
    {
        LastRound = round;
        _options.Log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{Id}: round {round}: update sent ({chunks} chunk(s), {bytes} bytes)"));
    }

    /// <summary>This owner's aggregation weight: n_k / Σ n (FedAvg) or 1 / m (client-level DP's fixed denominator).</summary>
    private double Weight(RoundPlan plan) => (plan.ClipNorm is null ? Samples : 1) / plan.WeightDenominator;

    private SecureAggregationClient Secure(int round) =>
        _secure is not null && _secureRound == round ? _secure : throw new InvalidOperationException($"Owner '{Id}' has no secure-aggregation keys for round {round}; the coordinator must ask for keys first.");

    private void Fail(DataOwnerStep step)
    {
        if (_options.FailAt == step)
            throw new InvalidOperationException($"Data owner '{Id}' failed at {step} (DataOwnerOptions.FailAt).");
    }

    public void Dispose()
    {
        _secure?.Dispose();
        _trainer.Dispose();
        _busy.Dispose();
    }
}
