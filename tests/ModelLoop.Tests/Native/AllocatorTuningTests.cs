using ModelLoop.Native;

namespace ModelLoop.Tests.Native;

public sealed class AllocatorTuningTests
{
    [Fact]
    public void Loading_libtorch_on_glibc_raises_the_mmap_and_trim_thresholds_unless_the_user_set_malloc_tunables()
    {
        TorchRuntime.EnsureLoaded();
        var userChose = Environment.GetEnvironmentVariable("MODELLOOP_MALLOC_TUNING") == "0"
            || Environment.GetEnvironmentVariable("GLIBC_TUNABLES")?.Contains("glibc.malloc.", StringComparison.Ordinal) == true;
        var glibc = OperatingSystem.IsLinux() && (File.Exists("/lib/x86_64-linux-gnu/libc.so.6") || File.Exists("/lib/aarch64-linux-gnu/libc.so.6"));
        Assert.Equal(glibc && !userChose, TorchRuntime.AllocatorTuned);
    }
}
