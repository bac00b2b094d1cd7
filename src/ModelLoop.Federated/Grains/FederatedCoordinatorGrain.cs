using System.Diagnostics;
using ModelLoop.Federated.Aggregation;
using ModelLoop.Federated.Secure;
using ModelLoop.Federated.Storage;
using Orleans.Concurrency;

namespace ModelLoop.Federated.Grains;

/// <inheritdoc cref="IFederatedCoordinatorGrain"/>
/// <remarks>
/// Reentrant: while a round awaits its owners, the owners call back into this grain to download weights and upload
/// chunks. Orleans runs those calls one at a time on the grain's scheduler, so the state needs no locks.
/// </remarks>
[Reentrant]
internal sealed class FederatedCoordinatorGrain(FederatedJobStore store) : Grain, IFederatedCoordinatorGrain
{
    private FederatedJobSpec? _spec;
    private int _round;
    private float[]? _weights;
    private float[]? _momentum;
    private List<RoundReport> _reports = [];
    private readonly Dictionary<string, (string Fingerprint, long Samples)> _owners = new(StringComparer.Ordinal);
    private InFlight? _inFlight;

    /// <summary>The round being run: which owners may upload, and what they uploaded so far.</summary>
    private sealed class InFlight(int round, int length, int chunkSize, HashSet<string> accepted)
    {
        public int Round { get; } = round;
        public int Length { get; } = length;
        public int ChunkSize { get; } = chunkSize;
        public HashSet<string> Accepted { get; } = accepted;
        public Dictionary<string, float[]> Updates { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, uint[]> Masked { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, HashSet<int>> Chunks { get; } = new(StringComparer.Ordinal);
        public long BytesDown { get; set; }
        public long BytesUp { get; set; }
    }

    private string Job => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (store.Load(Job) is { } saved)
        {
            (_spec, _round, _weights, _momentum, _reports) = (saved.Spec, saved.Round, saved.Weights, saved.Momentum, saved.Reports);
        }
        return Task.CompletedTask;
    }

    public Task<JobState> CreateAsync(FederatedJobSpec spec)
    {
        spec.Options.Validate();
        if (_spec is not null)
        {
            if (_spec.Fingerprint != spec.Fingerprint || _spec.Length != spec.Length)
                throw new ArgumentException($"Job '{Job}' already exists with another model ({_spec.Length:N0} parameters, fingerprint {_spec.Fingerprint[..12]}); " +
                    $"received {spec.Length:N0} parameters, fingerprint {spec.Fingerprint[..12]}. Use a new job id, or the job's own config.");
            _spec = _spec with { Options = spec.Options }; // a restarted driver may change how later rounds run
            return GetStateAsync();
        }
        _spec = spec;
        _weights = new float[spec.Length];
        return GetStateAsync();
    }

    public Task PutInitialChunkAsync(int index, float[] values)
    {
        var spec = Spec;
        if (_round > 0)
            throw new InvalidOperationException($"Job '{Job}' has finished {_round} rounds; its initial weights can no longer be set.");
        values.CopyTo(_weights!, CheckChunk(index, values.Length, spec.Length, spec.Options.ChunkSize));
        if ((index + 1) * spec.Options.ChunkSize >= spec.Length)
            store.Save(Job, spec, 0, _weights!, null, null);
        return Task.CompletedTask;
    }

    public Task<JobState> GetStateAsync() =>
        Task.FromResult(new JobState(_round, _spec?.Length ?? 0, _spec?.Fingerprint ?? "", [.. _owners.Keys.Order(StringComparer.Ordinal)]));

    public Task<List<RoundReport>> GetReportsAsync() => Task.FromResult(_reports.ToList());

    public Task RegisterOwnerAsync(string owner, string fingerprint, int parameters, long samples)
    {
        var spec = Spec;
        if (fingerprint != spec.Fingerprint)
            throw new ArgumentException($"Data owner '{owner}' has a model of {parameters:N0} parameters (fingerprint {fingerprint[..Math.Min(12, fingerprint.Length)]}) that does not match job '{Job}''s " +
                $"({spec.Length:N0} parameters, fingerprint {spec.Fingerprint[..12]}){(parameters == spec.Length ? "; the counts agree, so the layers, their shapes or the input shape differ" : "")}. " +
                "Build the owner's model from the job's config (same model section, input shape and class count): give `modelloop federate-client` the coordinator's --config, --limit and data.");
        if (samples < 1)
            throw new ArgumentException($"Data owner '{owner}' has {samples} samples; an owner needs at least one to train.");
        _owners[owner] = (fingerprint, samples);
        return Task.CompletedTask;
    }

    public Task UnregisterOwnerAsync(string owner)
    {
        _owners.Remove(owner);
        return Task.CompletedTask;
    }

    public Task<float[]> GetWeightsChunkAsync(int index)
    {
        var spec = Spec;
        var start = CheckChunk(index, null, spec.Length, spec.Options.ChunkSize);
        var chunk = _weights!.AsSpan(start, Math.Min(spec.Options.ChunkSize, spec.Length - start)).ToArray();
        if (_inFlight is { } round)
            round.BytesDown += chunk.Length * sizeof(float);
        return Task.FromResult(chunk);
    }

    public Task SubmitUpdateChunkAsync(int round, string owner, int index, float[] values)
    {
        if (Accepting(round, owner) is not { } flight)
            return Task.CompletedTask; // a straggler's late upload: the round has moved on
        if (!flight.Updates.TryGetValue(owner, out var update))
            flight.Updates[owner] = update = new float[flight.Length];
        values.CopyTo(update, CheckChunk(index, values.Length, flight.Length, flight.ChunkSize));
        Received(flight, owner, index, values.Length * sizeof(float));
        return Task.CompletedTask;
    }

    public Task SubmitMaskedChunkAsync(int round, string owner, int index, uint[] values)
    {
        if (Accepting(round, owner) is not { } flight)
            return Task.CompletedTask;
        var length = flight.Length + 1; // the update and its weight
        if (!flight.Masked.TryGetValue(owner, out var masked))
            flight.Masked[owner] = masked = new uint[length];
        values.CopyTo(masked, CheckChunk(index, values.Length, length, flight.ChunkSize));
        Received(flight, owner, index, values.Length * sizeof(uint));
        return Task.CompletedTask;
    }

    public async Task<RoundReport> RunRoundAsync()
    {
        var spec = Spec;
        var options = spec.Options;
        if (_inFlight is not null)
            throw new InvalidOperationException($"Job '{Job}' is already running round {_inFlight.Round}; wait for it before starting another.");
        var clock = Stopwatch.StartNew();
        var round = _round + 1;
        var sampled = Sample(round, options);
        var denominator = options.DpClipNorm is null
            ? sampled.Sum(o => (double)_owners[o].Samples)
            : Math.Max(1, options.Fraction * _owners.Count); // DP-FedAvg: uniform weights over the expected sample size
        var plan = new RoundPlan(Job, round, options.LocalEpochs, options.Algorithm == FederatedAlgorithm.FedProx ? options.Mu : 0,
            unchecked(options.Seed * 1_000_003 + round), spec.Length, options.ChunkSize, denominator, options.DpClipNorm);
        var flight = _inFlight = new InFlight(round, spec.Length, options.ChunkSize, [.. sampled]);
        try
        {
            var (average, reports, clipped) = options.SecureAggregation
                ? await SecureRound(plan, flight, sampled, options)
                : await PlainRound(plan, flight, sampled, options);
            if (options.DpNoiseMultiplier is { } sigma && options.DpClipNorm is { } clip)
                ServerUpdate.AddNoise(average, sigma, clip, denominator, new Random());
            _momentum = ServerUpdate.Apply(_weights!, average, _momentum, options);
            var report = new RoundReport
            {
                Round = round,
                Sampled = sampled,
                Aggregated = [.. reports.Select(r => r.Owner).Order(StringComparer.Ordinal)],
                Dropped = [.. sampled.Except(reports.Select(r => r.Owner)).Order(StringComparer.Ordinal)],
                TrainLoss = reports.Sum(r => r.Loss * r.Samples) / Math.Max(1, reports.Sum(r => r.Samples)),
                BytesDown = flight.BytesDown,
                BytesUp = flight.BytesUp,
                Seconds = clock.Elapsed.TotalSeconds,
                Secure = options.SecureAggregation,
                Clipped = clipped,
            };
            store.Save(Job, spec, round, _weights!, _momentum, report);
            _round = round;
            _reports.Add(report);
            return report;
        }
        finally
        {
            _inFlight = null;
        }
    }

    private async Task<(float[] Average, List<LocalReport> Reports, long Clipped)> PlainRound(RoundPlan plan, InFlight flight, List<string> sampled, FederatedOptions options)
    {
        var answers = await Gather(sampled, o => Owner(o).TrainAsync(plan), options);
        var reports = answers.Where(r => Complete(flight, r.Owner, r.Chunks) && flight.Updates.ContainsKey(r.Owner)).ToList();
        RequireEnough(reports.Count, sampled.Count, options, plan.Round);
        var average = new float[plan.Length];
        // FedAvg: Σ n_k Δ_k / Σ n_k over the owners that finished (DP: Σ Δ_k / m, m fixed).
        var total = options.DpClipNorm is null ? reports.Sum(r => (double)r.Samples) : plan.WeightDenominator;
        foreach (var report in reports)
        {
            var update = flight.Updates[report.Owner];
            var weight = (float)((options.DpClipNorm is null ? report.Samples : 1) / total);
            for (var i = 0; i < average.Length; i++)
                average[i] += weight * update[i];
        }
        return (average, reports, 0);
    }

    private async Task<(float[] Average, List<LocalReport> Reports, long Clipped)> SecureRound(RoundPlan plan, InFlight flight, List<string> sampled, FederatedOptions options)
    {
        if (sampled.Count < 2)
            throw new FederatedRoundException($"Round {plan.Round} of job '{Job}' sampled {sampled.Count} owner(s); secure aggregation needs at least 2, or the sum is one owner's update. Raise --fraction or add owners.");
        var threshold = options.Threshold(sampled.Count);
        var server = new SecureAggregationServer(plan.Round, plan.Length + 1, threshold);
        foreach (var keys in await Gather(sampled, o => Owner(o).AdvertiseKeysAsync(plan.Round), options))
        {
            server.AddAdvertisement(keys);
            flight.BytesUp += keys.CipherPublicKey.Length + keys.MaskPublicKey.Length;
        }
        var roster = server.Roster.ToList();
        flight.BytesDown += (long)roster.Count * roster.Sum(k => k.CipherPublicKey.Length + k.MaskPublicKey.Length); // the roster goes to every owner
        RequireEnough(roster.Count, sampled.Count, options, plan.Round, threshold);
        var shared = await Gather(roster.Select(k => k.Owner).ToList(), async o => (Owner: o, Shares: await Owner(o).ShareKeysAsync(plan.Round, roster, threshold)), options);
        foreach (var (owner, shares) in shared)
        {
            server.AddShares(owner, shares);
            flight.BytesUp += shares.Sum(s => (long)s.Ciphertext.Length);
        }
        var inputs = await Gather(server.SharingOwners.ToList(), o =>
        {
            var mine = server.SharesFor(o).ToList();
            flight.BytesDown += mine.Sum(s => (long)s.Ciphertext.Length);
            return Owner(o).TrainMaskedAsync(plan, mine);
        }, options);
        var reports = new List<LocalReport>();
        foreach (var report in inputs.Where(r => Complete(flight, r.Owner, r.Chunks) && flight.Masked.ContainsKey(r.Owner)))
        {
            server.AddMaskedInput(report.Owner, flight.Masked[report.Owner]);
            reports.Add(report);
        }
        var (survivors, dropped) = server.UnmaskRequest();
        foreach (var shares in await Gather(survivors.ToList(), o => Owner(o).UnmaskAsync(plan.Round, [.. survivors], [.. dropped]), options))
        {
            server.AddUnmaskShares(shares);
            flight.BytesUp += shares.SelfMaskShares.Values.Concat(shares.MaskKeyShares.Values).Sum(s => (long)s.Length);
        }
        var sum = server.Sum();
        var encoding = SecureEncoding;
        // The last element is Σ w_k over survivors; the rest Σ w_k Δ_k. Dividing renormalizes after dropouts.
        var weight = options.DpClipNorm is null ? encoding.Decode(sum[^1]) : 1.0; // DP: Σ Δ_k / m, m fixed
        if (!(weight > 0))
            throw new FederatedRoundException($"Secure aggregation of round {plan.Round} decoded a total weight of {weight}; the owners' inputs are inconsistent.");
        var average = new float[plan.Length];
        for (var i = 0; i < average.Length; i++)
            average[i] = (float)(encoding.Decode(sum[i]) / weight);
        return (average, reports, 0);
    }

    /// <summary>The fixed-point encoding both sides of secure aggregation use.</summary>
    internal static FixedPoint SecureEncoding { get; } = new(fractionBits: 20, maxClients: 64);

    /// <summary>Runs <paramref name="call"/> for every owner; an owner that throws or misses the straggler timeout is left out.</summary>
    private static async Task<List<T>> Gather<T>(List<string> owners, Func<string, Task<T>> call, FederatedOptions options)
    {
        var tasks = owners.Select(o => call(o)).ToList();
        var deadline = Task.Delay(options.StragglerTimeout);
        var all = Task.WhenAll(tasks);
        await Task.WhenAny(all, deadline);
        return [.. tasks.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result)];
    }

    private List<string> Sample(int round, FederatedOptions options)
    {
        var owners = _owners.Keys.Order(StringComparer.Ordinal).ToArray();
        if (owners.Length < options.MinClients)
            throw new FederatedRoundException($"Job '{Job}' has {owners.Length} connected data owners; a round needs at least {options.MinClients} (minClients). Start more owners, or lower minClients.");
        var random = new Random(unchecked((int)(options.Seed * 7919 + round)));
        // Client-level DP is accounted for Poisson sampling (each owner independently with probability q), as the
        // RDP accountant of the subsampled Gaussian assumes; otherwise a fixed-size sample of ⌈q·K⌉ owners.
        if (options.DpNoiseMultiplier is not null)
            return [.. owners.Where(_ => random.NextDouble() < options.Fraction)];
        var count = Math.Clamp((int)Math.Ceiling(options.Fraction * owners.Length), options.MinClients, owners.Length);
        random.Shuffle(owners);
        return [.. owners.Take(count).Order(StringComparer.Ordinal)];
    }

    private void RequireEnough(int finished, int sampled, FederatedOptions options, int round, int? threshold = null)
    {
        // Under client-level DP a round with no owner still releases noise (the accountant counts every round).
        var needed = Math.Max(options.DpNoiseMultiplier is null ? options.MinClients : 0, threshold ?? 0);
        if (finished < needed)
            throw new FederatedRoundException($"Round {round} of job '{Job}': {finished} of {sampled} sampled owners finished, fewer than the {needed} needed. " +
                $"The job stays at round {_round}. Raise the straggler timeout ({options.StragglerTimeout}), sample more owners, or check the owners' logs.");
    }

    private InFlight? Accepting(int round, string owner) =>
        _inFlight is { } flight && flight.Round == round && flight.Accepted.Contains(owner) ? flight : null;

    private static void Received(InFlight flight, string owner, int index, long bytes)
    {
        if (!flight.Chunks.TryGetValue(owner, out var chunks))
            flight.Chunks[owner] = chunks = [];
        chunks.Add(index);
        flight.BytesUp += bytes;
    }

    private static bool Complete(InFlight flight, string owner, int chunks) =>
        flight.Chunks.TryGetValue(owner, out var received) && received.Count == chunks;

    private static int CheckChunk(int index, int? count, int length, int chunkSize)
    {
        var start = (long)index * chunkSize;
        if (index < 0 || start >= length || count is { } n && (n > chunkSize || start + n > length))
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Chunk {index} ({count} values) does not fit a vector of {length:N0} values in chunks of {chunkSize:N0}.");
        return (int)start;
    }

    private IDataOwnerGrain Owner(string owner) => GrainFactory.GetGrain<IDataOwnerGrain>($"{Job}/{owner}");

    private FederatedJobSpec Spec => _spec ?? throw new InvalidOperationException($"Federated job '{Job}' does not exist; create it with CreateAsync first (FederatedJob.RunAsync does).");
}
