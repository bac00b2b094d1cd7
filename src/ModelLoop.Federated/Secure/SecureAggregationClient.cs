using System.Security.Cryptography;
using System.Text;

namespace ModelLoop.Federated.Secure;

/// <summary>
/// One data owner's side of one round of secure aggregation (Bonawitz et al. 2017, the semi-honest protocol):
/// advertise two ECDH public keys; Shamir-share its mask key and a fresh self-mask seed among the round's owners,
/// each share encrypted to its recipient; send its encoded update plus its self-mask plus one pairwise mask per other
/// owner (+ for owners that sort after it, − for those before, so each pair cancels in the sum); finally reveal
/// self-mask shares of survivors and mask-key shares of dropped owners — never both for one owner — so the
/// coordinator learns the sum and nothing else. Owners are ordered by ordinal id; the share of owner i is at x = i + 1.
/// </summary>
public sealed class SecureAggregationClient : IDisposable
{
    private const int SeedBytes = 32;
    private readonly string _owner;
    private readonly int _round;
    private readonly ECDiffieHellman _cipherKey = KeyAgreement.Create();
    private readonly ECDiffieHellman _maskKey = KeyAgreement.Create();
    private readonly byte[] _selfSeed = RandomNumberGenerator.GetBytes(SeedBytes);
    private Dictionary<string, KeyAdvertisement>? _roster;
    private int _threshold;
    private readonly Dictionary<string, (byte[] KeyShare, byte[] SeedShare)> _held = [];
    private bool _masked, _unmasked;

    public SecureAggregationClient(string owner, int round)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        _owner = owner;
        _round = round;
    }

    public KeyAdvertisement Advertise() => new(_owner, KeyAgreement.PublicKey(_cipherKey), KeyAgreement.PublicKey(_maskKey));

    /// <summary>Round 1: shares of this owner's mask key and self-mask seed, one encrypted message per other owner in <paramref name="roster"/>.</summary>
    public IReadOnlyList<EncryptedShare> ShareKeys(IReadOnlyList<KeyAdvertisement> roster, int threshold)
    {
        var owners = roster.Select(a => a.Owner).ToList();
        if (owners.Distinct(StringComparer.Ordinal).Count() != owners.Count || !owners.Contains(_owner, StringComparer.Ordinal))
            throw new CryptographicException($"The roster of round {_round} must list distinct owners including '{_owner}'; received [{string.Join(", ", owners)}].");
        if (threshold < 2 || threshold > roster.Count)
            throw new CryptographicException($"The secure-aggregation threshold must be between 2 and the number of owners ({roster.Count}); received {threshold}.");
        _roster = roster.ToDictionary(a => a.Owner, StringComparer.Ordinal);
        _threshold = threshold;
        var order = Order(owners);
        var keyShares = ShamirSecretSharing.Split(KeyAgreement.PrivateScalar(_maskKey), threshold, order.Count);
        var seedShares = ShamirSecretSharing.Split(_selfSeed, threshold, order.Count);
        var messages = new List<EncryptedShare>();
        for (var i = 0; i < order.Count; i++)
        {
            var to = order[i];
            if (to == _owner)
            {
                _held[_owner] = (keyShares[i], seedShares[i]);
                continue;
            }
            var key = KeyAgreement.Agree(_cipherKey, _roster[to].CipherPublicKey, $"shares|{_round}");
            messages.Add(new EncryptedShare(_owner, to, Seal(key, Context(_owner, to), [.. keyShares[i], .. seedShares[i]])));
        }
        return messages;
    }

    /// <summary>
    /// Round 2: the masked input. <paramref name="received"/> are the shares addressed to this owner; their senders
    /// (with this owner) are the owners whose pairwise masks are added.
    /// </summary>
    public uint[] Mask(ReadOnlySpan<uint> encoded, IReadOnlyList<EncryptedShare> received)
    {
        var roster = _roster ?? throw new InvalidOperationException("Call ShareKeys before Mask: the masks need the round's roster.");
        if (_masked)
            throw new CryptographicException($"Owner '{_owner}' already sent its masked input in round {_round}; an owner masks once per round.");
        _masked = true;
        foreach (var share in received)
        {
            if (share.To != _owner || !roster.ContainsKey(share.From))
                throw new CryptographicException($"A share from '{share.From}' to '{share.To}' was routed to '{_owner}', or its sender is not in round {_round}'s roster.");
            var key = KeyAgreement.Agree(_cipherKey, roster[share.From].CipherPublicKey, $"shares|{_round}");
            var plain = Open(key, Context(share.From, _owner), share.Ciphertext);
            var half = plain.Length / 2;
            _held[share.From] = (plain[..half], plain[half..]);
        }
        var masked = encoded.ToArray();
        MaskGenerator.Apply(_selfSeed, masked, +1);
        foreach (var other in received.Select(s => s.From))
            MaskGenerator.Apply(PairSeed(_maskKey, roster[other].MaskPublicKey, _round), masked, string.CompareOrdinal(_owner, other) < 0 ? +1 : -1);
        return masked;
    }

    /// <summary>Round 3: shares that let the coordinator remove the masks of <paramref name="survivors"/> (self-masks) and <paramref name="dropped"/> (pairwise).</summary>
    public UnmaskShares Unmask(IReadOnlyCollection<string> survivors, IReadOnlyCollection<string> dropped)
    {
        if (!_masked)
            throw new CryptographicException($"Owner '{_owner}' has not sent a masked input in round {_round}, so it does not reveal shares.");
        if (_unmasked)
            throw new CryptographicException($"Owner '{_owner}' already answered the unmasking request of round {_round}; answering twice could reveal both masks of one owner.");
        if (survivors.Intersect(dropped, StringComparer.Ordinal).Any())
            throw new CryptographicException("An owner is listed both as a survivor and as dropped; revealing both of its secrets would expose its update. Refusing.");
        if (survivors.Count < _threshold)
            throw new CryptographicException($"Only {survivors.Count} survivors were declared (threshold {_threshold}); refusing to unmask, as the sum would then expose too few owners' updates.");
        _unmasked = true;
        var self = survivors.Where(_held.ContainsKey).ToDictionary(o => o, o => _held[o].SeedShare, StringComparer.Ordinal);
        var keys = dropped.Where(_held.ContainsKey).ToDictionary(o => o, o => _held[o].KeyShare, StringComparer.Ordinal);
        return new UnmaskShares(_owner, self, keys);
    }

    /// <summary>The owners in share order (ordinal), shared by clients and coordinator.</summary>
    internal static List<string> Order(IEnumerable<string> owners) => owners.Order(StringComparer.Ordinal).ToList();

    internal static byte[] PairSeed(ECDiffieHellman own, byte[] peerMaskPublicKey, int round) => KeyAgreement.Agree(own, peerMaskPublicKey, $"mask|{round}");

    private byte[] Context(string from, string to) => Encoding.UTF8.GetBytes($"{_round}|{from}|{to}");

    private static byte[] Seal(byte[] key, byte[] context, byte[] plain)
    {
        using var gcm = new AesGcm(key, 16);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var cipher = new byte[plain.Length];
        var tag = new byte[16];
        gcm.Encrypt(nonce, plain, cipher, tag, context);
        return [.. nonce, .. tag, .. cipher];
    }

    private static byte[] Open(byte[] key, byte[] context, byte[] sealedBytes)
    {
        using var gcm = new AesGcm(key, 16);
        var plain = new byte[sealedBytes.Length - 28];
        gcm.Decrypt(sealedBytes.AsSpan(0, 12), sealedBytes.AsSpan(28), sealedBytes.AsSpan(12, 16), plain, context);
        return plain;
    }

    public void Dispose()
    {
        _cipherKey.Dispose();
        _maskKey.Dispose();
        CryptographicOperations.ZeroMemory(_selfSeed);
    }
}
