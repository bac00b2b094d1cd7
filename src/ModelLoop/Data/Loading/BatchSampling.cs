namespace ModelLoop.Data.Loading;

/// <summary>How a <see cref="DataLoader"/> forms the batches of an epoch.</summary>
public enum BatchSampling
{
    /// <summary>Every sample once per epoch, in batches of exactly BatchSize (the last may be smaller). The default.</summary>
    Fixed,
    /// <summary>
    /// Poisson sampling, as DP-SGD's privacy analysis assumes: each of the ⌈N / BatchSize⌉ batches of an epoch takes
    /// every sample independently with probability q = BatchSize / N, so batch sizes vary around BatchSize (a batch
    /// may even be empty) and a sample may appear in several batches of an epoch or in none.
    /// </summary>
    Poisson,
}
