using System.Runtime.InteropServices;
using ModelLoop.Native;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Native;

public sealed class AllocatorTuningTests
{
    private static bool UserChose =>
        Environment.GetEnvironmentVariable("MODELLOOP_MALLOC_TUNING") is "0" or "thresholds"
        || Environment.GetEnvironmentVariable("GLIBC_TUNABLES")?.Contains("glibc.malloc.", StringComparison.Ordinal) == true;

    private static bool Glibc => OperatingSystem.IsLinux() && (File.Exists("/lib/x86_64-linux-gnu/libc.so.6") || File.Exists("/lib/aarch64-linux-gnu/libc.so.6"));

    [Fact]
    public void Loading_libtorch_on_glibc_tunes_the_allocator_unless_the_user_set_malloc_tunables()
    {
        TorchRuntime.EnsureLoaded();
        var off = Environment.GetEnvironmentVariable("MODELLOOP_MALLOC_TUNING") == "0"
            || Environment.GetEnvironmentVariable("GLIBC_TUNABLES")?.Contains("glibc.malloc.", StringComparison.Ordinal) == true;
        Assert.Equal(Glibc && !off, TorchRuntime.AllocatorTuned);
    }

    [Fact]
    public void A_40_MB_tensor_comes_from_the_reused_heap_rather_than_a_mapping_of_its_own()
    {
        TorchRuntime.EnsureLoaded();
        if (!Glibc || UserChose)
            return; // another C library, or the user's own allocator settings: nothing of ours to check
        var before = MallInfo2().MappedBytes;
        using var big = zeros(10_000_000, dtype: float32); // 40 MB: above glibc's largest mmap threshold (32 MiB)
        big.add_(1);
        var during = MallInfo2().MappedBytes;

        // Without the tuning glibc maps a block this size on its own (and unmaps it when freed): ≥ 40 MB more here.
        Assert.True(during - before < 40_000_000, $"{(during - before) / 1e6:F1} MB more in individually mapped blocks while the tensor lived");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallocInfo
    {
        public nuint Arena, OrdBlks, SmBlks, HBlks, HBlkHd, UsmBlks, FsmBlks, UordBlks, FordBlks, KeepCost;

        public readonly long MappedBytes => (long)HBlkHd;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallocInfo MallInfo2();
}
