using ModelLoop.Federated.Secure;

namespace ModelLoop.Federated.Grains;

/// <inheritdoc cref="IDataOwnerGrain"/>
internal sealed class DataOwnerGrain : Grain, IDataOwnerGrain
{
    private IDataOwnerObserver? _observer;

    private (string Job, string Owner) Key
    {
        get
        {
            var key = this.GetPrimaryKeyString();
            var slash = key.IndexOf('/');
            return (key[..slash], key[(slash + 1)..]);
        }
    }

    public async Task ConnectAsync(IDataOwnerObserver observer, string fingerprint, int parameters, long samples)
    {
        var (job, owner) = Key;
        await GrainFactory.GetGrain<IFederatedCoordinatorGrain>(job).RegisterOwnerAsync(owner, fingerprint, parameters, samples);
        _observer = observer;
    }

    public async Task DisconnectAsync()
    {
        var (job, owner) = Key;
        _observer = null;
        await GrainFactory.GetGrain<IFederatedCoordinatorGrain>(job).UnregisterOwnerAsync(owner);
    }

    public Task<LocalReport> TrainAsync(RoundPlan plan) => Observer.TrainAsync(plan);
    public Task<KeyAdvertisement> AdvertiseKeysAsync(int round) => Observer.AdvertiseKeysAsync(Key.Job, round);
    public Task<List<EncryptedShare>> ShareKeysAsync(int round, List<KeyAdvertisement> roster, int threshold) => Observer.ShareKeysAsync(Key.Job, round, roster, threshold);
    public Task<LocalReport> TrainMaskedAsync(RoundPlan plan, List<EncryptedShare> shares) => Observer.TrainMaskedAsync(plan, shares);
    public Task<UnmaskShares> UnmaskAsync(int round, List<string> survivors, List<string> dropped) => Observer.UnmaskAsync(Key.Job, round, survivors, dropped);

    private IDataOwnerObserver Observer => _observer ?? throw new InvalidOperationException(
        $"Data owner '{Key.Owner}' of job '{Key.Job}' is not connected (its process stopped or never called ConnectAsync). Start it again; the round goes on without it.");
}
