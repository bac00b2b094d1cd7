namespace ModelLoop.Federated.Grains;

/// <summary>
/// The coordinator of one federated job (key = job id): holds the global model, samples owners, runs rounds,
/// aggregates, and persists the job after every finished round, so a coordinator that crashed comes back at its last
/// finished round. Weights and updates travel in chunks of <see cref="FederatedOptions.ChunkSize"/> values.
/// </summary>
public interface IFederatedCoordinatorGrain : IGrainWithStringKey
{
    /// <summary>Creates the job, or does nothing when it exists with the same model (a restarted driver).</summary>
    /// <exception cref="ArgumentException">The job exists with another model.</exception>
    Task<JobState> CreateAsync(FederatedJobSpec spec);
    /// <summary>Sets the initial weights, chunk by chunk, before round 1.</summary>
    Task PutInitialChunkAsync(int index, float[] values);
    Task<JobState> GetStateAsync();
    /// <exception cref="ArgumentException">The owner's model (fingerprint, parameter count) is not the job's, or it has no samples.</exception>
    Task RegisterOwnerAsync(string owner, string fingerprint, int parameters, long samples);
    Task UnregisterOwnerAsync(string owner);
    /// <summary>Runs the next round; returns its report once the new global model is persisted.</summary>
    /// <exception cref="FederatedRoundException">Too few owners finished the round.</exception>
    Task<RoundReport> RunRoundAsync();
    Task<List<RoundReport>> GetReportsAsync();
    /// <summary>Chunk <paramref name="index"/> of the global weights.</summary>
    Task<float[]> GetWeightsChunkAsync(int index);
    Task SubmitUpdateChunkAsync(int round, string owner, int index, float[] values);
    Task SubmitMaskedChunkAsync(int round, string owner, int index, uint[] values);
}
