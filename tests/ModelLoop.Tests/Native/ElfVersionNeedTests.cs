using ModelLoop.Build;
using ModelLoop.Tests.Training;

namespace ModelLoop.Tests.Native;

public sealed class ElfVersionNeedTests : IDisposable
{
    private const string Target = "GLIBCXX_3.4.32";
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void MarkWeakSetsTheWeakFlagOnExactlyThatEntryAndChangesNothingElse()
    {
        var elf = SyntheticElf.TorchSharpLike();
        var path = elf.WriteTo(_folder.File("lib.so"));

        var result = ElfVersionNeed.MarkWeak(path, Target);

        Assert.Equal(VersionNeedPatchResult.Patched, result);
        var expected = elf.Bytes.ToArray();
        expected[elf.FlagsOffsets[Target]] = 0x02; // vna_flags |= VER_FLG_WEAK, low byte (little-endian)
        Assert.Equal(expected, File.ReadAllBytes(path));
        Assert.True(ElfVersionNeed.IsRequirementWeak(path, Target));
        Assert.False(ElfVersionNeed.IsRequirementWeak(path, "GLIBCXX_3.4.29"));
    }

    [Fact]
    public void MarkWeakAddsTheWeakBitToFlagsAlreadySet()
    {
        var elf = SyntheticElf.Build([("libstdc++.so.6", [("GLIBCXX_3.4.29", 0), (Target, 0x4 /* VER_FLG_INFO */)])]);
        var path = elf.WriteTo(_folder.File("lib.so"));

        ElfVersionNeed.MarkWeak(path, Target);

        var expected = elf.Bytes.ToArray();
        expected[elf.FlagsOffsets[Target]] = 0x06;
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void MarkWeakIsIdempotent()
    {
        var path = SyntheticElf.TorchSharpLike().WriteTo(_folder.File("lib.so"));
        Assert.Equal(VersionNeedPatchResult.Patched, ElfVersionNeed.MarkWeak(path, Target));
        var patched = File.ReadAllBytes(path);
        var written = File.GetLastWriteTimeUtc(path);

        var second = ElfVersionNeed.MarkWeak(path, Target);

        Assert.Equal(VersionNeedPatchResult.AlreadyWeak, second);
        Assert.Equal(patched, File.ReadAllBytes(path));
        Assert.Equal(written, File.GetLastWriteTimeUtc(path)); // not rewritten at all
    }

    [Fact]
    public void MarkWeakLeavesARequirementThatIsAlreadyWeakUntouched()
    {
        var elf = SyntheticElf.Build([("libstdc++.so.6", [("GLIBCXX_3.4.29", 0), (Target, 0x2)])]);
        var path = elf.WriteTo(_folder.File("lib.so"));

        Assert.Equal(VersionNeedPatchResult.AlreadyWeak, ElfVersionNeed.MarkWeak(path, Target));
        Assert.Equal(elf.Bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void MarkWeakReturnsNotRequiredAndLeavesTheFileUntouchedWhenTheVersionIsAbsent()
    {
        var elf = SyntheticElf.Build([("libstdc++.so.6", [("GLIBCXX_3.4.29", 0), ("GLIBCXX_3.4.30", 0)])]);
        var path = elf.WriteTo(_folder.File("lib.so"));

        Assert.Equal(VersionNeedPatchResult.NotRequired, ElfVersionNeed.MarkWeak(path, Target));
        Assert.Equal(elf.Bytes, File.ReadAllBytes(path));
        Assert.Null(ElfVersionNeed.IsRequirementWeak(path, Target));
    }

    [Fact]
    public void MarkWeakFindsTheVersionUnderALaterNeededLibrary()
    {
        var elf = SyntheticElf.Build([("libc.so.6", [("GLIBC_2.2.5", 0), ("GLIBC_2.34", 0)]), ("libstdc++.so.6", [("GLIBCXX_3.4.29", 0), (Target, 0)])]);
        var path = elf.WriteTo(_folder.File("lib.so"));

        Assert.Equal(VersionNeedPatchResult.Patched, ElfVersionNeed.MarkWeak(path, Target));

        var expected = elf.Bytes.ToArray();
        expected[elf.FlagsOffsets[Target]] = 0x02;
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void MarkWeakLeavesNoTemporaryFileBehind()
    {
        var path = SyntheticElf.TorchSharpLike().WriteTo(_folder.File("lib.so"));

        ElfVersionNeed.MarkWeak(path, Target);

        Assert.Equal([path], Directory.GetFiles(_folder.Path));
    }

    // Regression (was a bug in build/ElfVersionNeed.cs, MarkWeak): the patched copy is written to a new temporary file and renamed
    // over the original, so it gets the default mode (0644 under the usual umask) instead of the original's
    // (TorchSharp ships libLibTorchSharp.so as 0744): the executable bit is lost.
    [Fact]
    public void MarkWeakKeepsTheFilesPermissions()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            return; // Unix file modes only
        var path = SyntheticElf.TorchSharpLike().WriteTo(_folder.File("lib.so"));
        const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(path, mode);

        ElfVersionNeed.MarkWeak(path, Target);

        Assert.Equal(mode, File.GetUnixFileMode(path));
    }

    [Fact]
    public void DefinedVersionsReadsEveryNameInTheGnuVersionDTable()
    {
        string[] names = ["libsynthetic.so.1", "GLIBCXX_3.4", "GLIBCXX_3.4.29", "GLIBCXX_3.4.30"];
        var path = SyntheticElf.TorchSharpLike(defines: names).WriteTo(_folder.File("libstdc++.so.6"));

        Assert.Equal(names, ElfVersionNeed.DefinedVersions(path));
    }

    [Fact]
    public void DefinedVersionsIsEmptyWithoutAGnuVersionDTable()
    {
        var path = SyntheticElf.TorchSharpLike().WriteTo(_folder.File("lib.so"));

        Assert.Empty(ElfVersionNeed.DefinedVersions(path));
    }

    public static TheoryData<string> CorruptRequirements =>
    [
        "not an ELF file",
        "empty",
        "shorter than an ELF header",
        "32-bit",
        "big-endian",
        "section headers cut off",
        "section header table past the end",
        "section header table offset near 2^63", // regression: offsets that overflowed the bounds check
        "version needs past the end",
        "version needs offset near 2^63",        // regression: offsets that overflowed the bounds check
        "Vernaux past the end",
        "version name past the end",
        "version name without its NUL",
        "string table link to a missing section",
    ];

    [Theory]
    [MemberData(nameof(CorruptRequirements))]
    public void MarkWeakOnCorruptInputThrowsInvalidDataExceptionNamingTheFileAndLeavesItAlone(string corruption)
    {
        var bytes = BadInput(corruption, SyntheticElf.TorchSharpLike());
        var path = _folder.File("broken.so");
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeed.MarkWeak(path, Target));

        Assert.Contains(path, error.Message);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => ElfVersionNeed.IsRequirementWeak(path, Target)).Message);
    }

    public static TheoryData<string> CorruptDefinitions =>
    [
        "not an ELF file",
        "shorter than an ELF header",
        "32-bit",
        "section headers cut off",
        "version definitions past the end",
        "version definitions offset near 2^63", // see BadInput
        "Verdaux past the end",
        "version definitions link to a missing section",
    ];

    [Theory]
    [MemberData(nameof(CorruptDefinitions))]
    public void DefinedVersionsOnCorruptInputThrowsInvalidDataExceptionNamingTheFile(string corruption)
    {
        var path = _folder.File("libstdc++.so.6");
        File.WriteAllBytes(path, BadInput(corruption, SyntheticElf.TorchSharpLike(defines: ["libstdc++.so.6", "GLIBCXX_3.4"])));

        var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeed.DefinedVersions(path));

        Assert.Contains(path, error.Message);
    }

    /// <summary>
    /// A damaged copy of <paramref name="elf"/>. The "near 2^63" cases for MarkWeak once failed (overflow in the bounds check; fixed)
    /// (build/ElfVersionNeed.cs, Require): `offset + length > bytes.Length` overflows for offsets near
    /// long.MaxValue, so the bounds check passes and the next read throws IndexOutOfRangeException (ReadU16's
    /// b[o]) or ArgumentOutOfRangeException (BitConverter after ReadU32's `(int)o`) instead of
    /// InvalidDataException. Fix: `if (offset < 0 || offset > bytes.Length - length)`. The .gnu.version_d case
    /// overflows the same way and only passes because the wrapped read happens to land inside the file.
    /// </summary>
    private static byte[] BadInput(string corruption, SyntheticElf elf)
    {
        var b = elf.Bytes.ToArray();
        var verneedHeader = SyntheticElf.SectionHeaderOffset(elf.VerneedSection);
        var firstAux = elf.VerneedOffsets[0] + 16;
        switch (corruption)
        {
            case "not an ELF file":
                return System.Text.Encoding.ASCII.GetBytes(new string('x', 200));
            case "empty":
                return [];
            case "shorter than an ELF header":
                return b[..40];
            case "32-bit":
                b[4] = 1;
                return b;
            case "big-endian":
                b[5] = 2;
                return b;
            case "section headers cut off":
                return b[..(SyntheticElf.SectionHeaderOffset(2) + 10)];
            case "section header table past the end":
                SyntheticElf.U64(b, 0x28, (ulong)b.Length + 100);
                return b;
            case "section header table offset near 2^63":
                SyntheticElf.U64(b, 0x28, long.MaxValue - 8);
                return b;
            case "version needs past the end":
                SyntheticElf.U64(b, verneedHeader + 24, (ulong)b.Length + 4);
                return b;
            case "version needs offset near 2^63":
                SyntheticElf.U64(b, verneedHeader + 24, long.MaxValue - 8);
                return b;
            case "Vernaux past the end":
                SyntheticElf.U32(b, elf.VerneedOffsets[0] + 8, 0x100000); // vn_aux
                return b;
            case "version name past the end":
                SyntheticElf.U32(b, firstAux + 8, 0x100000); // vna_name
                return b;
            case "version name without its NUL":
                // .dynstr is last: cut the file inside the first version name, so no NUL follows it.
                return b[..(elf.DynstrOffset + (int)BitConverter.ToUInt32(b, firstAux + 8) + 5)];
            case "string table link to a missing section":
                SyntheticElf.U32(b, verneedHeader + 40, 9); // sh_link
                return b;
            case "version definitions past the end":
                SyntheticElf.U64(b, SyntheticElf.SectionHeaderOffset(elf.VerdefSection) + 24, (ulong)b.Length + 4);
                return b;
            case "version definitions offset near 2^63":
                SyntheticElf.U64(b, SyntheticElf.SectionHeaderOffset(elf.VerdefSection) + 24, long.MaxValue - 8);
                return b;
            case "Verdaux past the end":
                SyntheticElf.U32(b, elf.VerdefOffsets[0] + 12, 0x100000); // vd_aux
                return b;
            case "version definitions link to a missing section":
                SyntheticElf.U32(b, SyntheticElf.SectionHeaderOffset(elf.VerdefSection) + 40, 9);
                return b;
            default:
                throw new ArgumentOutOfRangeException(nameof(corruption), corruption, null);
        }
    }
}
