using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ModelLoop.Federated.Secure;

/// <summary>
/// The pseudo-random generator PRG(seed) of secure aggregation: AES-256 in counter mode over a 32-byte seed,
/// read as uint32 ring elements. .NET has no AES-CTR type, so counter blocks are encrypted with AES-ECB (the
/// definition of CTR's keystream). Both ends expand the same seed to the same mask.
/// </summary>
internal static class MaskGenerator
{
    /// <summary>Adds (<paramref name="sign"/> = +1) or subtracts (−1) PRG(<paramref name="seed"/>) to <paramref name="vector"/>, mod 2³².</summary>
    public static void Apply(ReadOnlySpan<byte> seed, Span<uint> vector, int sign)
    {
        if (seed.Length != 32)
            throw new ArgumentException($"A mask seed is 32 bytes; received {seed.Length}.", nameof(seed));
        using var aes = Aes.Create();
        aes.Key = seed.ToArray();
        const int ValuesPerBlock = 4; // 16-byte AES block = 4 uint32
        var blocks = (vector.Length + ValuesPerBlock - 1) / ValuesPerBlock;
        var counters = new byte[blocks * 16];
        for (var b = 0; b < blocks; b++)
            BinaryPrimitives.WriteInt64LittleEndian(counters.AsSpan(b * 16), b);
        var stream = aes.EncryptEcb(counters, PaddingMode.None);
        for (var i = 0; i < vector.Length; i++)
        {
            var mask = BinaryPrimitives.ReadUInt32LittleEndian(stream.AsSpan(i * 4));
            vector[i] = sign > 0 ? unchecked(vector[i] + mask) : unchecked(vector[i] - mask);
        }
    }
}
