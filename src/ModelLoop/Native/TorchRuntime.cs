using System.Runtime.InteropServices;
using ModelLoop.Build;
using TorchSharp;

namespace ModelLoop.Native;

/// <summary>
/// The one place that loads libtorch. Every public entry point of ModelLoop calls <see cref="EnsureLoaded"/>
/// first, so a machine that cannot run libtorch gets one clear message instead of TorchSharp's long trace.
/// </summary>
public static class TorchRuntime
{
    private static readonly object Gate = new();
    private static bool _loaded;

    /// <summary>
    /// Loads libtorch once. On Linux systems whose libstdc++ predates GLIBCXX_3.4.32 it first marks that
    /// unneeded requirement weak in the copies of libLibTorchSharp.so next to the application (the build
    /// does this already; this covers copies the build never saw, such as a `dotnet tool` install).
    /// </summary>
    /// <exception cref="TorchRuntimeException">libtorch cannot be loaded; the message says why and what to do.</exception>
    public static void EnsureLoaded()
    {
        if (_loaded)
            return;
        lock (Gate)
        {
            if (_loaded)
                return;
            var patchNote = FixNativeCopiesIfNeeded();
            AllocatorTuned = TuneAllocator();
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
                DenormalsFlushed = FlushDenormals();
            }
            catch (Exception e)
            {
                throw new TorchRuntimeException(
                    "ModelLoop could not load libtorch (TorchSharp-cpu 0.107.0, libtorch 2.10). " +
                    $"Cause: {FirstLine(e)}. {patchNote}" +
                    "What to do: build with `dotnet build` (its post-build step fixes the known GLIBCXX_3.4.32 " +
                    "problem on Debian 12), make sure the machine is x86_64 Linux/Windows or arm64 macOS, " +
                    "and that the output folder holds runtimes/<rid>/native/libLibTorchSharp.so and libtorch_cpu.so.", e);
            }
            QuietNativeLog();
            _loaded = true;
        }
    }

    /// <summary>
    /// True when <see cref="EnsureLoaded"/> tuned glibc's allocator for this process (see <see cref="TuneAllocator"/>);
    /// false on other C libraries, with MODELLOOP_MALLOC_TUNING=0, or when GLIBC_TUNABLES already sets malloc options.
    /// </summary>
    public static bool AllocatorTuned { get; private set; }

    // malloc.h: M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_MMAP_MAX.
    private const int MallocTrimThreshold = -1, MallocMmapThreshold = -3, MallocMmapMax = -4;

    /// <summary>
    /// libtorch allocates every activation, gradient and temporary with malloc. glibc serves a block above its mmap
    /// threshold (128 KiB, adapting up to 32 MiB) with a fresh mmap whose pages fault in (and are zeroed) on first touch
    /// and are unmapped when freed, so a training loop pays for page faults on every big tensor of every step. In the
    /// virtual machines this project runs on a page fault costs ~25 µs: a 105 MB elementwise product took 685 ms with
    /// glibc's defaults and 7.5 ms with its memory kept (PyTorch 1.13, same machine); one bn-cnn epoch on 10,000 images
    /// 34.9 s → 14.9 s with the thresholds raised. So the process keeps what it frees for the next batch, like
    /// PyTorch's caching allocator on a GPU or jemalloc on a CPU:
    /// <list type="bullet">
    /// <item>default: no malloc'd block is given its own mapping (M_MMAP_MAX = 0): every block comes from the heap and
    /// is reused once freed, whatever its size (per-sample gradients, unfolded patches and scattering maps are tens to
    /// hundreds of MB); free memory beyond 1 GiB at the heap's top is returned to the system (M_TRIM_THRESHOLD).
    /// Threads other than the main one allocate from glibc's per-thread arenas, whose heaps are at most 64 MiB: their
    /// bigger blocks are still mapped (glibc's fallback), as without tuning.</item>
    /// <item>MODELLOOP_MALLOC_TUNING=thresholds: only the thresholds (mmap 32 MiB, trim 1 GiB), blocks above 32 MiB mapped.</item>
    /// <item>MODELLOOP_MALLOC_TUNING=0: glibc's defaults.</item>
    /// </list>
    /// The price is free memory held by the process (up to its peak use). The same as GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=1073741824,
    /// but for every process that loads libtorch, tests and library users included.
    /// </summary>
    private static bool TuneAllocator()
    {
        var mode = Environment.GetEnvironmentVariable("MODELLOOP_MALLOC_TUNING");
        if (!OperatingSystem.IsLinux() || mode == "0"
            || Environment.GetEnvironmentVariable("GLIBC_TUNABLES")?.Contains("glibc.malloc.", StringComparison.Ordinal) == true)
            return false;
        try
        {
            var trim = MallOpt(MallocTrimThreshold, 1 << 30) == 1;
            return mode == "thresholds"
                ? MallOpt(MallocMmapThreshold, 32 << 20) == 1 && trim
                : MallOpt(MallocMmapMax, 0) == 1 && trim;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // not glibc (e.g. musl): its allocator has no such thresholds
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);

    /// <summary>
    /// libtorch's C++ log (not its Python-style warnings) prints "Could not initialize NNPACK! Reason: Unsupported
    /// hardware." on every convolution of a batch of one on CPUs NNPACK does not support — thousands of lines from a
    /// server — and TorchSharp 0.107 exposes neither an NNPACK switch nor the log level. libtorch reads
    /// TORCH_CPP_LOG_LEVEL only in c10::initLogging, which nothing calls outside Python; so unless the user set the
    /// variable, it is set to ERROR in the native environment (.NET's SetEnvironmentVariable does not reach it on Unix)
    /// and initLogging is called once libc10 is loaded. A user's own TORCH_CPP_LOG_LEVEL is applied the same way.
    /// </summary>
    private static void QuietNativeLog()
    {
        const string variable = "TORCH_CPP_LOG_LEVEL";
        if (OperatingSystem.IsWindows())
            return;
        try
        {
            if (Environment.GetEnvironmentVariable(variable) is null)
                _ = SetEnvironment(variable, "ERROR", overwrite: 0);
            // Already loaded by libtorch: dlopen by its soname returns that copy.
            var c10 = OperatingSystem.IsMacOS() ? "libc10.dylib" : "libc10.so";
            if (NativeLibrary.TryLoad(c10, out var handle) && NativeLibrary.TryGetExport(handle, "_ZN3c1011initLoggingEv", out var initLogging))
                Marshal.GetDelegateForFunctionPointer<InitLogging>(initLogging)();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // No C library, another libtorch build, or a platform without these entry points: only the log level is at
            // stake, so the log stays at libtorch's default.
        }
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void InitLogging();

    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int SetEnvironment(string name, string value, int overwrite);

    /// <summary>
    /// True when denormal floats are flushed to zero on the CPU. ModelLoop turns this on while loading
    /// libtorch, before its worker threads exist (POSIX threads inherit the floating-point environment of
    /// the thread that creates them): on real images the first epoch otherwise runs ~1.5× slower while tiny
    /// gradients pass through denormal arithmetic. Set MODELLOOP_KEEP_DENORMALS=1 to keep IEEE denormals.
    /// </summary>
    public static bool DenormalsFlushed { get; private set; }

    // TorchSharp 0.107 does not expose torch.set_flush_denormal; libtorch exports at::Context's method.
    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr AtGlobalContext();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context16setFlushDenormalEb")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool AtSetFlushDenormal(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool on);

    private static bool FlushDenormals()
    {
        if (Environment.GetEnvironmentVariable("MODELLOOP_KEEP_DENORMALS") == "1" || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return false;
        try
        {
            return AtSetFlushDenormal(AtGlobalContext(), true);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // another libtorch build: keep the default, only speed is at stake
        }
    }

    /// <summary>Number of intra-op CPU threads libtorch uses. Defaults to the cores available.</summary>
    public static int Threads
    {
        get
        {
            EnsureLoaded();
            return torch.get_num_threads();
        }
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(value), value, $"Threads must be at least 1; received {value}. Use Environment.ProcessorCount ({Environment.ProcessorCount}) for all cores.");
            EnsureLoaded();
            torch.set_num_threads(value);
        }
    }

    /// <summary>The CPU's model name from /proc/cpuinfo ("unknown" elsewhere): benchmarks and reports print it beside absolute figures.</summary>
    public static string CpuModel { get; } = ReadCpuModel();

    private static string ReadCpuModel()
    {
        try
        {
            return File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
                : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>
    /// True when the CPU has native bfloat16 arithmetic (AVX-512 BF16 or AMX-BF16), where
    /// <c>Precision.BFloat16</c> is ~2.8× faster; without it bfloat16 is emulated and slower than float32.
    /// </summary>
    public static bool CpuHasNativeBFloat16 { get; } = DetectBFloat16();

    private static bool DetectBFloat16()
    {
        try
        {
            return File.Exists("/proc/cpuinfo") && File.ReadLines("/proc/cpuinfo")
                .Where(l => l.StartsWith("flags", StringComparison.Ordinal))
                .Take(1)
                .Any(l => l.Split(' ').Any(f => f is "avx512_bf16" or "amx_bf16"));
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Resolves a requested device to a TorchSharp device, checking that it exists.</summary>
    public static torch.Device Resolve(ComputeDevice device)
    {
        EnsureLoaded();
        return device switch
        {
            ComputeDevice.Cpu => torch.CPU,
            ComputeDevice.Auto => CudaAvailable() ? torch.CUDA : torch.CPU,
            ComputeDevice.Cuda when CudaAvailable() => torch.CUDA,
            ComputeDevice.Cuda => throw new TorchRuntimeException(
                "Device 'cuda' was requested but CUDA is not available: this build references TorchSharp-cpu. " +
                "Use --device cpu (or auto), or reference TorchSharp-cuda-linux on a machine with an NVIDIA GPU."),
            _ => throw new ArgumentOutOfRangeException(nameof(device), device, "Expected Cpu, Cuda or Auto."),
        };
    }

    private static bool CudaAvailable()
    {
        try
        {
            return torch.cuda.is_available();
        }
        catch (Exception)
        {
            return false; // the CPU package has no CUDA backend to ask
        }
    }

    private static string FixNativeCopiesIfNeeded()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            return "";
        try
        {
            var (library, defines) = ElfVersionNeed.SystemLibStdCxxDefines(ElfVersionNeed.TorchSharpUnneededVersion);
            if (library is null || defines)
                return "";
            foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories))
                ElfVersionNeed.MarkWeak(file, ElfVersionNeed.TorchSharpUnneededVersion);
            return $"(The system libstdc++ at {library} lacks {ElfVersionNeed.TorchSharpUnneededVersion}; the native library was patched for that.) ";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return $"(The system libstdc++ lacks {ElfVersionNeed.TorchSharpUnneededVersion} and patching libLibTorchSharp.so in {AppContext.BaseDirectory} failed: {e.Message}) ";
        }
    }

    private static string FirstLine(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null)
            inner = inner.InnerException;
        var text = inner.Message;
        var newline = text.IndexOf('\n');
        return (newline < 0 ? text : text[..newline]).Trim().TrimEnd('.');
    }
}
