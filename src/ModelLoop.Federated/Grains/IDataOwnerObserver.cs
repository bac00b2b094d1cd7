using ModelLoop.Federated.Secure;

namespace ModelLoop.Federated.Grains;

/// <summary>
/// A data owner's process as the cluster reaches it: an Orleans observer created by the owner's Orleans client
/// (in-process for a simulation, a separate process with <c>modelloop federate-client</c>). It trains on its own data
/// and uploads only updates, in chunks, to the coordinator.
/// </summary>
public interface IDataOwnerObserver : IGrainObserver
{
    /// <summary>Downloads the round's weights, trains, uploads the update in chunks; returns once all chunks are in.</summary>
    Task<LocalReport> TrainAsync(RoundPlan plan);
    Task<KeyAdvertisement> AdvertiseKeysAsync(string job, int round);
    Task<List<EncryptedShare>> ShareKeysAsync(string job, int round, List<KeyAdvertisement> roster, int threshold);
    /// <summary>As <see cref="TrainAsync"/>, but uploads the masked, fixed-point encoded update [w·Δ, w].</summary>
    Task<LocalReport> TrainMaskedAsync(RoundPlan plan, List<EncryptedShare> shares);
    Task<UnmaskShares> UnmaskAsync(string job, int round, List<string> survivors, List<string> dropped);
}
