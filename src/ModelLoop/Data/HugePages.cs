using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Data;

/// <summary>
/// Asks Linux to back a large, freshly allocated CPU tensor with transparent huge pages (2 MiB) before it is
/// first written. Why: filling a new 188 MB tensor (all of Fashion-MNIST as float32) costs ~300 ms of 4 KiB
/// page faults on a 2-core VM but ~15 ms with huge pages, which is most of the loader's time. Debian's default
/// THP mode is "madvise", so memory gets huge pages only when asked; libtorch asks only when the process
/// was started with THP_MEM_ALLOC_ENABLE=1. Best effort: a no-op off Linux, for small tensors, or if the
/// kernel refuses.
/// </summary>
internal static class HugePages
{
    private const int MadvHugePage = 14;            // MADV_HUGEPAGE in <sys/mman.h>
    private const long PageSize = 4096;
    private const long MinimumBytes = 8L << 20;      // below this a few faults cost less than asking

    /// <summary>Advises huge pages for the tensor's memory; call right after allocating it.</summary>
    public static void Advise(Tensor tensor)
    {
        if (!OperatingSystem.IsLinux() || tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
            return;
        var bytes = tensor.bytes;
        if (bytes.Length < MinimumBytes)
            return;
        // The address of the first byte, without an unsafe block: its distance from address zero.
        var start = (long)Unsafe.ByteOffset(ref Unsafe.NullRef<byte>(), ref MemoryMarshal.GetReference(bytes));
        var alignedStart = (start + PageSize - 1) & ~(PageSize - 1);
        var alignedEnd = (start + bytes.Length) & ~(PageSize - 1);
        try
        {
            _ = Madvise((nint)alignedStart, (nuint)(alignedEnd - alignedStart), MadvHugePage); // failure only costs speed
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // a Linux without glibc's madvise export: keep ordinary pages
        }
    }

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int Madvise(nint address, nuint length, int advice);
}
