namespace ModelLoop.Federated.Secure;

/// <summary>Round 0 of secure aggregation: an owner's two public keys (SubjectPublicKeyInfo): one to encrypt shares to it, one for pairwise masks.</summary>
[GenerateSerializer, Immutable]
public sealed record KeyAdvertisement([property: Id(0)] string Owner, [property: Id(1)] byte[] CipherPublicKey, [property: Id(2)] byte[] MaskPublicKey);

/// <summary>Round 1: Shamir shares of the sender's mask key and self-mask seed for one recipient, AES-GCM-encrypted to it; the coordinator only routes it.</summary>
[GenerateSerializer, Immutable]
public sealed record EncryptedShare([property: Id(0)] string From, [property: Id(1)] string To, [property: Id(2)] byte[] Ciphertext);

/// <summary>
/// Round 3: what a surviving owner reveals: its shares of each survivor's self-mask seed (so the self-masks can be
/// removed) and of each dropped owner's mask key (so the dropped owner's pairwise masks can be removed) — never both for one owner.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record UnmaskShares(
    [property: Id(0)] string Owner,
    [property: Id(1)] Dictionary<string, byte[]> SelfMaskShares,
    [property: Id(2)] Dictionary<string, byte[]> MaskKeyShares);
