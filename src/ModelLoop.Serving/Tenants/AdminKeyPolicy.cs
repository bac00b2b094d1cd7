namespace ModelLoop.Serving.Tenants;

/// <summary>
/// The admin key manages every tenant and key, so the server refuses to start with one that could be guessed: at least
/// <see cref="MinLength"/> characters, of which at least <see cref="MinDistinct"/> differ ("aaaa…" or "changeme" repeated
/// are refused). 32 random bytes in base64 (<c>openssl rand -base64 32</c>, 44 characters) or hex (64) pass.
/// </summary>
public static class AdminKeyPolicy
{
    /// <summary>Fewest characters an admin key may have: 32 (24 random bytes in base64 carry 192 bits).</summary>
    public const int MinLength = 32;

    /// <summary>Fewest distinct characters: 10 (random hex of 32+ characters has ~16).</summary>
    public const int MinDistinct = 10;

    /// <summary>Throws <see cref="ArgumentException"/> saying what is wrong and how to make a key when <paramref name="key"/> is too weak; null or empty (management off) passes.</summary>
    public static void Check(string? key)
    {
        if (string.IsNullOrEmpty(key))
            return;
        var distinct = key.Distinct().Count();
        if (key.Length >= MinLength && distinct >= MinDistinct)
            return;
        throw new ArgumentException(
            $"The admin key (Serving:AdminKey, MODELLOOP_ADMIN_KEY or --admin-key-file) is too weak: it has {key.Length} characters, {distinct} of them distinct; " +
            $"expected at least {MinLength} characters with at least {MinDistinct} distinct. Generate one with `openssl rand -base64 32` " +
            "(or `head -c 32 /dev/urandom | base64`) and set that instead.");
    }
}
