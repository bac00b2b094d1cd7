// Marks one GLIBCXX version requirement of an ELF shared library as WEAK, so that glibc's loader warns
// instead of refusing to load when the system libstdc++ lacks that version.
//
// Why this exists: TorchSharp-cpu 0.107.0 ships libLibTorchSharp.so built with GCC 13. It lists
// GLIBCXX_3.4.32 in its .gnu.version_r table for one symbol it never binds (std::ios_base_library_init).
// Debian 12 ships GCC 12's libstdc++ (up to GLIBCXX_3.4.30), so dlopen fails although every symbol the
// library really uses is present. patchelf can rename or drop needed libraries but cannot flag a single
// version requirement weak, and no maintained .NET ELF library writes ELF files, so the ~150 lines below
// edit the one 16-bit flags field by hand.
//
// This one file is used three ways: MSBuild compiles it as an inline task (Directory.Build.targets) that
// patches the build output; ModelLoop links it to fix a copy at run time (e.g. a `dotnet tool` install);
// the tests link it to check the patch on synthetic ELF files. ELF_PATCHER_NO_TASK leaves out the
// MSBuild task class where Microsoft.Build is not referenced.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace ModelLoop.Build
{
    /// <summary>What <see cref="ElfVersionNeed.MarkWeak"/> did to a file.</summary>
    internal enum VersionNeedPatchResult
    {
        /// <summary>The requirement was strong and is now weak; the file was rewritten.</summary>
        Patched,
        /// <summary>The requirement was already weak; the file was not touched.</summary>
        AlreadyWeak,
        /// <summary>The file does not require that version; the file was not touched.</summary>
        NotRequired,
    }

    internal static class ElfVersionNeed
    {
        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlagWeak = 0x2;

        /// <summary>The version TorchSharp 0.107.0's native library asks for and does not need.</summary>
        public const string TorchSharpUnneededVersion = "GLIBCXX_3.4.32";

        /// <summary>Where Linux distributions put the system libstdc++.</summary>
        public static readonly string[] SystemLibStdCxxCandidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
        };

        /// <summary>True when <paramref name="versionName"/> is required (strongly or weakly) by the file.</summary>
        public static bool? IsRequirementWeak(string path, string versionName)
        {
            var bytes = File.ReadAllBytes(path);
            var offset = FindVernauxFlagsOffset(bytes, path, versionName);
            return offset is null ? null : (ReadU16(bytes, offset.Value) & VerFlagWeak) != 0;
        }

        /// <summary>
        /// Flags the requirement of <paramref name="versionName"/> weak. Idempotent; the file is replaced
        /// atomically (write to a temporary file beside it, then rename) so a crash never leaves half a file.
        /// </summary>
        public static VersionNeedPatchResult MarkWeak(string path, string versionName)
        {
            var bytes = File.ReadAllBytes(path);
            var offset = FindVernauxFlagsOffset(bytes, path, versionName);
            if (offset is null)
                return VersionNeedPatchResult.NotRequired;
            var flags = ReadU16(bytes, offset.Value);
            if ((flags & VerFlagWeak) != 0)
                return VersionNeedPatchResult.AlreadyWeak;
            var temp = path + ".weak-" + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                // Copy first so the temp file keeps the original's permissions, then change the two flag bytes.
                File.Copy(path, temp, overwrite: true);
                using (var stream = new FileStream(temp, FileMode.Open, FileAccess.Write))
                {
                    stream.Position = offset.Value;
                    var patched = (ushort)(flags | VerFlagWeak);
                    stream.WriteByte((byte)patched);
                    stream.WriteByte((byte)(patched >> 8));
                    stream.Flush(true);
                }
                // File.Replace is rename(2) on Unix: readers see the old file or the new one, never a mix.
                File.Replace(temp, path, destinationBackupFileName: null);
            }
            finally
            {
                if (File.Exists(temp))
                    File.Delete(temp);
            }
            return VersionNeedPatchResult.Patched;
        }

        /// <summary>The version names a shared library defines (its .gnu.version_d table).</summary>
        public static IReadOnlyList<string> DefinedVersions(string path)
        {
            var bytes = File.ReadAllBytes(path);
            var names = new List<string>();
            foreach (var section in Sections(bytes, path).Where(s => s.Type == ShtGnuVerdef))
            {
                var strtab = SectionAt(bytes, path, (int)section.Link);
                long entry = (long)section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    Require(bytes, path, entry, 20, "Verdef entry");
                    var aux = entry + ReadU32(bytes, entry + 12);
                    Require(bytes, path, aux, 8, "Verdaux entry");
                    names.Add(ReadString(bytes, path, (long)strtab.Offset + ReadU32(bytes, aux)));
                    var next = ReadU32(bytes, entry + 16);
                    if (next == 0)
                        break;
                    entry += next;
                }
            }
            return names;
        }

        /// <summary>
        /// The first system libstdc++ found, or null. Returns whether it defines <paramref name="versionName"/>.
        /// </summary>
        public static (string? Library, bool DefinesVersion) SystemLibStdCxxDefines(string versionName)
        {
            foreach (var candidate in SystemLibStdCxxCandidates)
            {
                if (File.Exists(candidate))
                    return (candidate, DefinedVersions(candidate).Contains(versionName));
            }
            return (null, false);
        }

        private static long? FindVernauxFlagsOffset(byte[] bytes, string path, string versionName)
        {
            foreach (var section in Sections(bytes, path).Where(s => s.Type == ShtGnuVerneed))
            {
                var strtab = SectionAt(bytes, path, (int)section.Link);
                long need = (long)section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    Require(bytes, path, need, 16, "Verneed entry");
                    var count = ReadU16(bytes, need + 2);
                    long aux = need + ReadU32(bytes, need + 8);
                    for (int j = 0; j < count; j++)
                    {
                        Require(bytes, path, aux, 16, "Vernaux entry");
                        var name = ReadString(bytes, path, (long)strtab.Offset + ReadU32(bytes, aux + 8));
                        if (name == versionName)
                            return aux + 4; // vna_flags
                        var nextAux = ReadU32(bytes, aux + 12);
                        if (nextAux == 0)
                            break;
                        aux += nextAux;
                    }
                    var nextNeed = ReadU32(bytes, need + 12);
                    if (nextNeed == 0)
                        break;
                    need += nextNeed;
                }
            }
            return null;
        }

        private readonly struct Section
        {
            public Section(uint type, ulong offset, uint link, uint info)
            {
                Type = type;
                Offset = offset;
                Link = link;
                Info = info;
            }

            public uint Type { get; }
            public ulong Offset { get; }
            public uint Link { get; }
            public uint Info { get; }
        }

        private static IEnumerable<Section> Sections(byte[] bytes, string path)
        {
            if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
                throw new InvalidDataException($"'{path}' is not an ELF file (no \\x7fELF magic). Expected a Linux shared library such as libLibTorchSharp.so.");
            if (bytes[4] != 2 || bytes[5] != 1)
                throw new InvalidDataException($"'{path}' is ELF class {bytes[4]}, data encoding {bytes[5]}; only 64-bit little-endian ELF (class 2, encoding 1) is supported.");
            var shoff = ReadU64(bytes, 0x28);
            var shentsize = ReadU16(bytes, 0x3A);
            var shnum = ReadU16(bytes, 0x3C);
            for (int i = 0; i < shnum; i++)
            {
                long header = (long)shoff + (long)i * shentsize;
                Require(bytes, path, header, 64, "section header");
                yield return new Section(ReadU32(bytes, header + 4), ReadU64(bytes, header + 24), ReadU32(bytes, header + 40), ReadU32(bytes, header + 44));
            }
        }

        private static Section SectionAt(byte[] bytes, string path, int index) =>
            Sections(bytes, path).ElementAtOrDefault(index) is var s && (s.Type != 0 || index == 0)
                ? s
                : throw new InvalidDataException($"'{path}' links to section {index}, which does not exist; the file is truncated or corrupt.");

        private static void Require(byte[] bytes, string path, long offset, int length, string what)
        {
            // Written so that offsets near long.MaxValue (corrupt headers) cannot overflow past the check.
            if (offset < 0 || length > bytes.Length || offset > bytes.Length - length)
                throw new InvalidDataException($"'{path}': {what} at offset {offset} runs past the end of the file ({bytes.Length} bytes); the file is truncated or corrupt.");
        }

        private static string ReadString(byte[] bytes, string path, long offset)
        {
            Require(bytes, path, offset, 1, "string");
            var end = Array.IndexOf(bytes, (byte)0, (int)offset);
            if (end < 0)
                throw new InvalidDataException($"'{path}': string at offset {offset} has no terminating NUL; the file is corrupt.");
            return System.Text.Encoding.ASCII.GetString(bytes, (int)offset, end - (int)offset);
        }

        private static ushort ReadU16(byte[] b, long o) => (ushort)(b[o] | (b[o + 1] << 8));
        private static uint ReadU32(byte[] b, long o) => BitConverter.ToUInt32(b, (int)o);
        private static ulong ReadU64(byte[] b, long o) => BitConverter.ToUInt64(b, (int)o);
    }

#if !ELF_PATCHER_NO_TASK
    /// <summary>
    /// MSBuild task: makes every libLibTorchSharp.so under <see cref="Directory"/> loadable on systems whose
    /// libstdc++ predates GLIBCXX_3.4.32 (Debian 12). Does nothing elsewhere, and nothing twice.
    /// </summary>
    public sealed class FixLibTorchSharpForOldLibStdCxx : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public string Directory { get; set; } = "";

        public override bool Execute()
        {
            if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux) || !System.IO.Directory.Exists(Directory))
                return true;
            var (library, defines) = ElfVersionNeed.SystemLibStdCxxDefines(ElfVersionNeed.TorchSharpUnneededVersion);
            if (library is null || defines)
                return true;
            foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories))
            {
                var result = ElfVersionNeed.MarkWeak(file, ElfVersionNeed.TorchSharpUnneededVersion);
                if (result == VersionNeedPatchResult.Patched)
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                        $"ModelLoop: {library} lacks {ElfVersionNeed.TorchSharpUnneededVersion}; marked that unneeded requirement weak in {file}.");
            }
            return true;
        }
    }
#endif
}
