using System.Buffers.Binary;
using System.Text;

namespace ModelLoop.Tests.Native;

/// <summary>
/// Builds a minimal valid little-endian ELF64 shared object with only what the version tables need (readelf -V
/// reads it): the ELF header, the section header table, .shstrtab, .gnu.version_r (one Verneed per library, one
/// Vernaux per version), optionally .gnu.version_d, and .dynstr last. No program headers, no code.
/// </summary>
/// <remarks>
/// Layout: [ELF header 64][section headers n×64][.shstrtab][.gnu.version_r][.gnu.version_d][.dynstr].
/// Verneed is 16 bytes (vn_version, vn_cnt, vn_file, vn_aux, vn_next); Vernaux is 16 (vna_hash, vna_flags,
/// vna_other, vna_name, vna_next); Verdef is 20 (vd_version, vd_flags, vd_ndx, vd_cnt, vd_hash, vd_aux,
/// vd_next); Verdaux is 8 (vda_name, vda_next).
/// </remarks>
internal sealed class SyntheticElf
{
    public const uint ShtStrtab = 3;
    public const uint ShtGnuVerdef = 0x6ffffffd;
    public const uint ShtGnuVerneed = 0x6ffffffe;
    public const int HeaderSize = 64;
    public const int SectionHeaderSize = 64;

    private readonly Dictionary<string, int> _flagsOffsets = new();

    private SyntheticElf(byte[] bytes) => Bytes = bytes;

    public byte[] Bytes { get; }
    /// <summary>File offset of each required version's 16-bit vna_flags.</summary>
    public IReadOnlyDictionary<string, int> FlagsOffsets => _flagsOffsets;
    /// <summary>File offset of each Verneed entry, in order.</summary>
    public List<int> VerneedOffsets { get; } = new();
    /// <summary>File offset of each Verdef entry, in order.</summary>
    public List<int> VerdefOffsets { get; } = new();
    public int SectionCount { get; private set; }
    /// <summary>Section index of .gnu.version_r and .gnu.version_d (−1 when absent).</summary>
    public int VerneedSection { get; private set; }
    public int VerdefSection { get; private set; } = -1;
    public int DynstrOffset { get; private set; }

    public static int SectionHeaderOffset(int index) => HeaderSize + index * SectionHeaderSize;

    /// <summary>The typical case: libstdc++.so.6 required at GLIBCXX_3.4.29 and GLIBCXX_3.4.32, both strong.</summary>
    public static SyntheticElf TorchSharpLike(IReadOnlyList<string>? defines = null) =>
        Build([("libstdc++.so.6", [("GLIBCXX_3.4.29", 0), ("GLIBCXX_3.4.32", 0)])], defines);

    /// <param name="needs">Per needed library, the versions it is required at and their vna_flags.</param>
    /// <param name="defines">Version names for .gnu.version_d (the first is the file's own base version), or null for none.</param>
    public static SyntheticElf Build(IReadOnlyList<(string File, (string Version, ushort Flags)[] Versions)> needs, IReadOnlyList<string>? defines = null)
    {
        // Section names and dynamic strings.
        var sectionNames = new StringTable();
        var dynstr = new StringTable();
        foreach (var (file, versions) in needs)
        {
            dynstr.Add(file);
            foreach (var (version, _) in versions)
                dynstr.Add(version);
        }
        foreach (var name in defines ?? [])
            dynstr.Add(name);
        var shstrtabName = sectionNames.Add(".shstrtab");
        var dynstrName = sectionNames.Add(".dynstr");
        var verneedName = sectionNames.Add(".gnu.version_r");
        var verdefName = defines is null ? 0 : sectionNames.Add(".gnu.version_d");

        var sectionCount = defines is null ? 4 : 5; // null, .shstrtab, .dynstr, .gnu.version_r, [.gnu.version_d]
        var shstrtabOffset = HeaderSize + sectionCount * SectionHeaderSize;
        var shstrtab = sectionNames.ToArray();
        var verneedOffset = Align(shstrtabOffset + shstrtab.Length, 8);
        var verneedSize = needs.Sum(n => 16 + 16 * n.Versions.Length);
        var verdefOffset = Align(verneedOffset + verneedSize, 8);
        var verdefSize = defines is null ? 0 : defines.Count * (20 + 8);
        var dynstrOffset = Align(verdefOffset + verdefSize, 8);
        var dynstrBytes = dynstr.ToArray();
        var bytes = new byte[dynstrOffset + dynstrBytes.Length];
        var elf = new SyntheticElf(bytes) { SectionCount = sectionCount, VerneedSection = 3, VerdefSection = defines is null ? -1 : 4, DynstrOffset = dynstrOffset };

        // ELF header.
        "\u007fELF"u8.CopyTo(bytes);
        bytes[4] = 2; // ELFCLASS64
        bytes[5] = 1; // ELFDATA2LSB
        bytes[6] = 1; // EV_CURRENT
        U16(bytes, 0x10, 3);   // ET_DYN
        U16(bytes, 0x12, 62);  // EM_X86_64
        U32(bytes, 0x14, 1);   // e_version
        U64(bytes, 0x28, HeaderSize); // e_shoff
        U16(bytes, 0x34, HeaderSize); // e_ehsize
        U16(bytes, 0x36, 56);  // e_phentsize (no program headers)
        U16(bytes, 0x3A, SectionHeaderSize);
        U16(bytes, 0x3C, (ushort)sectionCount);
        U16(bytes, 0x3E, 1);   // e_shstrndx

        // Section headers (index 0 stays all zero).
        SectionHeader(bytes, 1, shstrtabName, ShtStrtab, 0, shstrtabOffset, shstrtab.Length, 0, 0, 1);
        SectionHeader(bytes, 2, dynstrName, ShtStrtab, 2 /* SHF_ALLOC */, dynstrOffset, dynstrBytes.Length, 0, 0, 1);
        SectionHeader(bytes, 3, verneedName, ShtGnuVerneed, 2, verneedOffset, verneedSize, 2, (uint)needs.Count, 8);
        if (defines is not null)
            SectionHeader(bytes, 4, verdefName, ShtGnuVerdef, 2, verdefOffset, verdefSize, 2, (uint)defines.Count, 8);
        shstrtab.CopyTo(bytes, shstrtabOffset);
        dynstrBytes.CopyTo(bytes, dynstrOffset);

        // .gnu.version_r: each Verneed followed by its Vernaux entries.
        var at = verneedOffset;
        ushort versionIndex = 2; // 0 and 1 are reserved (local, global)
        for (var n = 0; n < needs.Count; n++)
        {
            var (file, versions) = needs[n];
            var entrySize = 16 + 16 * versions.Length;
            elf.VerneedOffsets.Add(at);
            U16(bytes, at, 1);                                  // vn_version
            U16(bytes, at + 2, (ushort)versions.Length);        // vn_cnt
            U32(bytes, at + 4, dynstr.OffsetOf(file));          // vn_file
            U32(bytes, at + 8, 16);                             // vn_aux
            U32(bytes, at + 12, n + 1 < needs.Count ? (uint)entrySize : 0); // vn_next
            for (var v = 0; v < versions.Length; v++)
            {
                var aux = at + 16 + 16 * v;
                var (version, flags) = versions[v];
                U32(bytes, aux, ElfHash(version));               // vna_hash
                U16(bytes, aux + 4, flags);                      // vna_flags
                U16(bytes, aux + 6, versionIndex++);             // vna_other
                U32(bytes, aux + 8, dynstr.OffsetOf(version));   // vna_name
                U32(bytes, aux + 12, v + 1 < versions.Length ? 16u : 0); // vna_next
                elf._flagsOffsets[version] = aux + 4;
            }
            at += entrySize;
        }

        // .gnu.version_d: one Verdef with one Verdaux per name; the first is the base (the file itself).
        at = verdefOffset;
        for (var d = 0; d < (defines?.Count ?? 0); d++)
        {
            var name = defines![d];
            elf.VerdefOffsets.Add(at);
            U16(bytes, at, 1);                                  // vd_version
            U16(bytes, at + 2, d == 0 ? (ushort)1 : (ushort)0); // vd_flags: VER_FLG_BASE on the first
            U16(bytes, at + 4, (ushort)(d + 1));                // vd_ndx
            U16(bytes, at + 6, 1);                              // vd_cnt
            U32(bytes, at + 8, ElfHash(name));                  // vd_hash
            U32(bytes, at + 12, 20);                            // vd_aux
            U32(bytes, at + 16, d + 1 < defines.Count ? 28u : 0); // vd_next
            U32(bytes, at + 20, dynstr.OffsetOf(name));         // vda_name
            U32(bytes, at + 24, 0);                             // vda_next
            at += 28;
        }
        return elf;
    }

    public string WriteTo(string path)
    {
        File.WriteAllBytes(path, Bytes);
        return path;
    }

    /// <summary>The System V ABI's ELF hash (vna_hash, vd_hash).</summary>
    public static uint ElfHash(string name)
    {
        uint h = 0;
        foreach (var c in Encoding.ASCII.GetBytes(name))
        {
            h = (h << 4) + c;
            var g = h & 0xf0000000;
            if (g != 0)
                h ^= g >> 24;
            h &= ~g;
        }
        return h;
    }

    public static void U16(byte[] b, int offset, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(offset), value);
    public static void U32(byte[] b, int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(offset), value);
    public static void U64(byte[] b, int offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(offset), value);

    private static int Align(int value, int alignment) => (value + alignment - 1) / alignment * alignment;

    private static void SectionHeader(byte[] b, int index, uint name, uint type, ulong flags, int offset, int size, uint link, uint info, ulong align)
    {
        var h = SectionHeaderOffset(index);
        U32(b, h, name);
        U32(b, h + 4, type);
        U64(b, h + 8, flags);
        U64(b, h + 16, (ulong)offset); // sh_addr: as if mapped at its file offset
        U64(b, h + 24, (ulong)offset);
        U64(b, h + 32, (ulong)size);
        U32(b, h + 40, link);
        U32(b, h + 44, info);
        U64(b, h + 48, align);
    }

    /// <summary>A NUL-separated string table that starts with an empty string, as ELF requires.</summary>
    private sealed class StringTable
    {
        private readonly List<byte> _bytes = [0];
        private readonly Dictionary<string, uint> _offsets = new();

        public uint Add(string value)
        {
            if (_offsets.TryGetValue(value, out var existing))
                return existing;
            var offset = (uint)_bytes.Count;
            _bytes.AddRange(Encoding.ASCII.GetBytes(value));
            _bytes.Add(0);
            _offsets[value] = offset;
            return offset;
        }

        public uint OffsetOf(string value) => _offsets[value];
        public byte[] ToArray() => _bytes.ToArray();
    }
}
