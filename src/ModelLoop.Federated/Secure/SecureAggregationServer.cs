using System.Security.Cryptography;

namespace ModelLoop.Federated.Secure;

/// <summary>
/// The coordinator's side of one round of secure aggregation: it collects public keys, routes encrypted shares,
/// collects masked inputs, and from the survivors' revealed shares removes the self-masks of the survivors and the
/// pairwise masks that dropped owners left in them. It holds masked vectors and, at the end, their sum — never an
/// owner's update. Any <c>threshold</c> survivors suffice; fewer make the round fail.
/// </summary>
public sealed class SecureAggregationServer
{
    private const int SeedBytes = 32, ScalarBytes = 32;
    private readonly int _round, _length, _threshold;
    private readonly Dictionary<string, KeyAdvertisement> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<EncryptedShare>> _mailboxes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _shared = new(StringComparer.Ordinal);
    private readonly Dictionary<string, uint[]> _masked = new(StringComparer.Ordinal);
    private readonly List<UnmaskShares> _revealed = [];

    public SecureAggregationServer(int round, int length, int threshold)
    {
        if (threshold < 2)
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, $"The secure-aggregation threshold must be at least 2; received {threshold}.");
        (_round, _length, _threshold) = (round, length, threshold);
    }

    public int Threshold => _threshold;
    public IReadOnlyList<KeyAdvertisement> Roster => [.. _keys.Values.OrderBy(k => k.Owner, StringComparer.Ordinal)];
    /// <summary>Every masked input received so far (what a curious coordinator holds).</summary>
    public IReadOnlyDictionary<string, uint[]> MaskedInputs => _masked;

    public void AddAdvertisement(KeyAdvertisement keys) => _keys[keys.Owner] = keys;

    /// <summary>Takes an owner's encrypted shares for routing; the owner joins the set whose masks are in play.</summary>
    public void AddShares(string owner, IReadOnlyList<EncryptedShare> shares)
    {
        if (!_keys.ContainsKey(owner))
            throw new CryptographicException($"Owner '{owner}' sent shares in round {_round} without advertising keys first.");
        _shared.Add(owner);
        foreach (var share in shares)
        {
            if (share.From != owner || !_keys.ContainsKey(share.To))
                throw new CryptographicException($"Owner '{owner}' sent a share from '{share.From}' to '{share.To}', who is not in round {_round}'s roster.");
            if (!_mailboxes.TryGetValue(share.To, out var box))
                _mailboxes[share.To] = box = [];
            box.Add(share);
        }
    }

    /// <summary>The shares addressed to <paramref name="owner"/> from owners that completed the sharing round.</summary>
    public IReadOnlyList<EncryptedShare> SharesFor(string owner) =>
        _mailboxes.TryGetValue(owner, out var box) ? [.. box.Where(s => _shared.Contains(s.From))] : [];

    public IReadOnlyCollection<string> SharingOwners => _shared;

    public void AddMaskedInput(string owner, uint[] masked)
    {
        if (!_shared.Contains(owner))
            throw new CryptographicException($"Owner '{owner}' sent a masked input in round {_round} without sharing its keys first.");
        if (masked.Length != _length)
            throw new CryptographicException($"Owner '{owner}' sent a masked input of {masked.Length:N0} values; the round aggregates {_length:N0}.");
        _masked[owner] = masked;
    }

    /// <summary>Who the unmasking request names: survivors (sent a masked input) and dropped (shared keys but sent none).</summary>
    public (IReadOnlyList<string> Survivors, IReadOnlyList<string> Dropped) UnmaskRequest()
    {
        if (_masked.Count < _threshold)
            throw new FederatedRoundException($"Secure aggregation of round {_round} has {_masked.Count} masked inputs, fewer than its threshold ({_threshold}); the round cannot be unmasked. " +
                "Lower the threshold, sample more owners (--fraction), or raise the straggler timeout.");
        return ([.. _masked.Keys.Order(StringComparer.Ordinal)], [.. _shared.Where(o => !_masked.ContainsKey(o)).Order(StringComparer.Ordinal)]);
    }

    public void AddUnmaskShares(UnmaskShares shares)
    {
        if (_masked.ContainsKey(shares.Owner))
            _revealed.Add(shares);
    }

    /// <summary>Σ over survivors of their encoded inputs (mod 2³²), once at least threshold survivors revealed their shares.</summary>
    public uint[] Sum()
    {
        var (survivors, dropped) = UnmaskRequest();
        if (_revealed.Count < _threshold)
            throw new FederatedRoundException($"Only {_revealed.Count} owners answered the unmasking request of round {_round} (threshold {_threshold}); the sum cannot be recovered.");
        var order = SecureAggregationClient.Order(_keys.Keys);
        int X(string owner) => order.IndexOf(owner) + 1;
        var sum = new uint[_length];
        foreach (var masked in _masked.Values)
            for (var i = 0; i < _length; i++)
                sum[i] = unchecked(sum[i] + masked[i]);
        foreach (var survivor in survivors)
        {
            var seed = ShamirSecretSharing.Combine(Shares(survivor, r => r.SelfMaskShares, X), SeedBytes);
            MaskGenerator.Apply(seed, sum, -1);
        }
        foreach (var gone in dropped)
        {
            var scalar = ShamirSecretSharing.Combine(Shares(gone, r => r.MaskKeyShares, X), ScalarBytes);
            using var key = KeyAgreement.FromPrivateScalar(scalar, _keys[gone].MaskPublicKey);
            // Each survivor u added sign(u, gone)·PRG(s_{u,gone}); take it back out.
            foreach (var survivor in survivors)
                MaskGenerator.Apply(SecureAggregationClient.PairSeed(key, _keys[survivor].MaskPublicKey, _round), sum,
                    string.CompareOrdinal(survivor, gone) < 0 ? -1 : +1);
        }
        return sum;
    }

    private List<(int X, byte[] Share)> Shares(string owner, Func<UnmaskShares, Dictionary<string, byte[]>> pick, Func<string, int> x)
    {
        var shares = _revealed.Where(r => pick(r).ContainsKey(owner)).Select(r => (x(r.Owner), pick(r)[owner])).Take(_threshold).ToList();
        if (shares.Count < _threshold)
            throw new FederatedRoundException($"Only {shares.Count} shares of owner '{owner}''s secret arrived in round {_round} (threshold {_threshold}); the sum cannot be unmasked.");
        return shares;
    }
}
