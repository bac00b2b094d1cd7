using ModelLoop.Data;
using ModelLoop.Federated.Grains;
using ModelLoop.Federated.Local;
using ModelLoop.Loop;
using ModelLoop.Modeling;

namespace ModelLoop.Federated;

/// <summary>
/// Drives one federated job on a cluster: creates it on its coordinator grain (or finds it, after a crash, at its last
/// finished round), uploads the initial weights in chunks, runs rounds until <c>rounds</c> are finished, and evaluates
/// the global model after each round on data the driver holds. Data owners connect on their own (<see cref="DataOwner"/>).
/// </summary>
public static class FederatedJob
{
    /// <summary>Creates the job (idempotent: a job that exists is left at its round) with the config's network as the model owners must build.</summary>
    /// <param name="sampleShape">Per-sample input shape, e.g. (1, 28, 28).</param>
    /// <param name="outputs">Output width (class count).</param>
    /// <param name="initialWeights">Starting weights (e.g. a pretrained model's <see cref="DownloadAsync"/>). Defaults to null: the network's own initialization, seeded by the config's seed.</param>
    public static async Task<JobState> CreateAsync(IGrainFactory grains, string job, TrainingConfig config, Shape sampleShape, int outputs, FederatedOptions options,
        float[]? initialWeights = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(config);
        options.Validate();
        config.Validate();
        if (config.Seed is { } seed)
            TorchSharp.torch.random.manual_seed(seed);
        using var model = JobModel.Build(config, sampleShape, outputs);
        if (initialWeights is not null)
            ModelVector.Write(model, initialWeights);
        var weights = ModelVector.Read(model);
        var coordinator = grains.GetGrain<IFederatedCoordinatorGrain>(job);
        var state = await coordinator.CreateAsync(new FederatedJobSpec(options, ModelVector.Fingerprint(model), weights.Length));
        if (state.Round == 0)
        {
            for (int index = 0, start = 0; start < weights.Length; index++, start += options.ChunkSize)
                await coordinator.PutInitialChunkAsync(index, weights.AsSpan(start, Math.Min(options.ChunkSize, weights.Length - start)).ToArray());
        }
        return state;
    }

    /// <summary>
    /// Runs rounds until the job has finished <paramref name="rounds"/>. After each round <paramref name="onRound"/> gets
    /// the report and, when <paramref name="evaluation"/> is given, the global model's loss and metrics on it.
    /// </summary>
    public static async Task<IReadOnlyList<FederatedRound>> RunAsync(IGrainFactory grains, string job, TrainingConfig config, Shape sampleShape, int outputs,
        int rounds, TensorDataset? evaluation = null, Action<FederatedRound>? onRound = null, CancellationToken cancellation = default)
    {
        if (rounds < 1)
            throw new ArgumentOutOfRangeException(nameof(rounds), rounds, $"--rounds must be at least 1; received {rounds}.");
        var coordinator = grains.GetGrain<IFederatedCoordinatorGrain>(job);
        using var model = evaluation is null ? null : JobModel.Build(config, sampleShape, outputs);
        var done = new List<FederatedRound>();
        var state = await coordinator.GetStateAsync();
        while (state.Round < rounds)
        {
            cancellation.ThrowIfCancellationRequested();
            var report = await coordinator.RunRoundAsync();
            IReadOnlyDictionary<string, double> metrics = new Dictionary<string, double>();
            if (model is not null)
            {
                ModelVector.Write(model, await DownloadAsync(grains, job));
                metrics = model.Evaluate(evaluation!);
            }
            var round = new FederatedRound(report, metrics);
            done.Add(round);
            onRound?.Invoke(round);
            state = await coordinator.GetStateAsync();
        }
        return done;
    }

    /// <summary>The job's current global weights, downloaded in chunks.</summary>
    public static async Task<float[]> DownloadAsync(IGrainFactory grains, string job)
    {
        var coordinator = grains.GetGrain<IFederatedCoordinatorGrain>(job);
        var state = await coordinator.GetStateAsync();
        var weights = new float[state.Length];
        for (int index = 0, start = 0; start < weights.Length; index++)
        {
            var chunk = await coordinator.GetWeightsChunkAsync(index);
            chunk.CopyTo(weights, start);
            start += chunk.Length;
        }
        return weights;
    }

    /// <summary>Loads <paramref name="weights"/> into a fresh model built from the job's config (e.g. to evaluate or package it).</summary>
    public static Model BuildModel(TrainingConfig config, Shape sampleShape, int outputs, float[] weights)
    {
        var model = JobModel.Build(config, sampleShape, outputs);
        ModelVector.Write(model, weights);
        return model;
    }
}
