using ModelLoop.Build;
using ModelLoop.Native;
using TorchSharp;

namespace ModelLoop.Tests.Native;

public sealed class TorchSharpNativeLibraryTests
{
    private const string Version = ElfVersionNeed.TorchSharpUnneededVersion;

    [Fact]
    public void TheBuildMarkedGlibcxx3432WeakInTheOutputFolderOnlyWhereTheSystemLibStdCxxLacksIt()
    {
        if (!OperatingSystem.IsLinux())
            return; // the fix-up and the ELF format are Linux-only
        var (systemLibrary, systemDefines) = ElfVersionNeed.SystemLibStdCxxDefines(Version);
        Assert.Null(NativeLibraryAtStartup.Error);
        Assert.NotNull(NativeLibraryAtStartup.Library);
        Assert.True(NativeLibraryAtStartup.Glibcxx3432Weak.HasValue, $"{NativeLibraryAtStartup.Library} no longer requires {Version}; the fix-up may be obsolete.");

        // Before any test loaded libtorch (which patches at run time too), so this is the build's doing.
        var shouldBeWeak = systemLibrary is not null && !systemDefines;
        Assert.True(shouldBeWeak == NativeLibraryAtStartup.Glibcxx3432Weak,
            $"System libstdc++ {systemLibrary ?? "(none found)"} {(systemDefines ? "defines" : "lacks")} {Version}; " +
            $"the requirement in {NativeLibraryAtStartup.Library} was {(NativeLibraryAtStartup.Glibcxx3432Weak == true ? "weak" : "strong")} when the tests started.");
    }

    [Fact]
    public void TorchRuntimeEnsureLoadedSucceedsAndLibtorchComputes()
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.EnsureLoaded(); // a second call is a no-op

        using var x = torch.arange(1, 5, dtype: torch.ScalarType.Float32);
        using var sum = x.sum();
        Assert.Equal(10f, sum.item<float>());
        Assert.True(TorchRuntime.Threads >= 1);
    }

    [Fact]
    public void DefinedVersionsReadsTheSystemLibStdCxx()
    {
        if (!OperatingSystem.IsLinux())
            return;
        var (systemLibrary, _) = ElfVersionNeed.SystemLibStdCxxDefines(Version);
        Assert.NotNull(systemLibrary);

        var versions = ElfVersionNeed.DefinedVersions(systemLibrary);

        Assert.Contains("GLIBCXX_3.4", versions);
        Assert.Contains("CXXABI_1.3", versions);
    }
}
