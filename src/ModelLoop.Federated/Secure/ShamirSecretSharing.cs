using System.Numerics;
using System.Security.Cryptography;

namespace ModelLoop.Federated.Secure;

/// <summary>
/// Shamir's t-of-n secret sharing (1979) over the prime field GF(2^521 − 1): any <c>threshold</c> shares give the
/// secret back by Lagrange interpolation at 0; fewer reveal nothing about it. Written here because .NET has no
/// secret-sharing API and the NuGet mirror has no maintained package for it; it is ~60 lines over BigInteger.
/// Secrets are up to 64 bytes (a key or a seed), read as a non-negative big-endian integer below the prime.
/// </summary>
public static class ShamirSecretSharing
{
    /// <summary>The Mersenne prime 2^521 − 1, larger than any 64-byte secret.</summary>
    private static readonly BigInteger Prime = BigInteger.Pow(2, 521) - 1;
    private const int MaxSecretBytes = 64;
    private const int ShareBytes = 66; // ⌈521 / 8⌉

    /// <summary>Shares of <paramref name="secret"/> at x = 1 … <paramref name="count"/>.</summary>
    public static byte[][] Split(ReadOnlySpan<byte> secret, int threshold, int count)
    {
        if (secret.Length is 0 or > MaxSecretBytes)
            throw new ArgumentException($"A secret to share must be 1–{MaxSecretBytes} bytes; received {secret.Length}.", nameof(secret));
        if (threshold < 1 || threshold > count)
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, $"The threshold must be between 1 and the number of shares ({count}); received {threshold}.");
        var coefficients = new BigInteger[threshold];
        coefficients[0] = new BigInteger(secret, isUnsigned: true, isBigEndian: true);
        for (var i = 1; i < threshold; i++)
            coefficients[i] = new BigInteger(RandomNumberGenerator.GetBytes(ShareBytes + 16), isUnsigned: true, isBigEndian: true) % Prime;
        var shares = new byte[count][];
        for (var x = 1; x <= count; x++)
        {
            // Horner: f(x) = c0 + x(c1 + x(c2 + …)).
            var y = BigInteger.Zero;
            for (var i = threshold - 1; i >= 0; i--)
                y = (y * x + coefficients[i]) % Prime;
            shares[x - 1] = ToBytes(y);
        }
        return shares;
    }

    /// <summary>The secret from at least threshold shares (x, share); <paramref name="secretLength"/> is its length in bytes.</summary>
    public static byte[] Combine(IReadOnlyList<(int X, byte[] Share)> shares, int secretLength)
    {
        if (shares.Count == 0)
            throw new ArgumentException("Combining needs at least one share; received none.", nameof(shares));
        if (shares.Select(s => s.X).Distinct().Count() != shares.Count)
            throw new ArgumentException("Two shares have the same x; each share must come from a different holder.", nameof(shares));
        var secret = BigInteger.Zero;
        foreach (var (xi, share) in shares)
        {
            // Lagrange basis at 0: Π_{j≠i} x_j / (x_j − x_i).
            BigInteger numerator = 1, denominator = 1;
            foreach (var (xj, _) in shares)
            {
                if (xj == xi)
                    continue;
                numerator = numerator * xj % Prime;
                denominator = denominator * Mod(xj - xi) % Prime;
            }
            var basis = numerator * BigInteger.ModPow(denominator, Prime - 2, Prime) % Prime;
            secret = (secret + new BigInteger(share, isUnsigned: true, isBigEndian: true) * basis) % Prime;
        }
        var bytes = secret.ToByteArray(isUnsigned: true, isBigEndian: true);
        if (bytes.Length > secretLength)
            throw new CryptographicException("The shares do not combine to a secret of the expected length: too few shares, or shares of different secrets.");
        var result = new byte[secretLength];
        bytes.CopyTo(result, secretLength - bytes.Length);
        return result;
    }

    private static BigInteger Mod(BigInteger value) => ((value % Prime) + Prime) % Prime;

    private static byte[] ToBytes(BigInteger value)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[ShareBytes];
        bytes.CopyTo(padded, ShareBytes - bytes.Length);
        return padded;
    }
}
