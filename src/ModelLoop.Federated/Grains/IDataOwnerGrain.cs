using ModelLoop.Federated.Secure;

namespace ModelLoop.Federated.Grains;

/// <summary>
/// One data owner in one job (key "job/owner"): where the owner connects, and the coordinator's handle on it. It
/// registers the owner with the job's coordinator (which checks the owner's model) and relays the round's requests
/// to the owner's process.
/// </summary>
public interface IDataOwnerGrain : IGrainWithStringKey
{
    /// <summary>Connects the owner's observer and registers it with the coordinator, with its model's fingerprint and parameter count.</summary>
    /// <exception cref="ArgumentException">The owner's model does not match the job's.</exception>
    Task ConnectAsync(IDataOwnerObserver observer, string fingerprint, int parameters, long samples);
    Task DisconnectAsync();
    Task<LocalReport> TrainAsync(RoundPlan plan);
    Task<KeyAdvertisement> AdvertiseKeysAsync(int round);
    Task<List<EncryptedShare>> ShareKeysAsync(int round, List<KeyAdvertisement> roster, int threshold);
    Task<LocalReport> TrainMaskedAsync(RoundPlan plan, List<EncryptedShare> shares);
    Task<UnmaskShares> UnmaskAsync(int round, List<string> survivors, List<string> dropped);
}
