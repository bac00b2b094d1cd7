using System.Runtime.CompilerServices;
using ModelLoop.Build;

namespace ModelLoop.Tests.Native;

/// <summary>
/// The state of libLibTorchSharp.so in the test output folder as the build left it. TorchRuntime.EnsureLoaded
/// patches the library itself at run time, so a check made after any test has loaded libtorch could not tell
/// whether the build step ran; this snapshot is taken when the test assembly is first used, before any test runs.
/// </summary>
internal static class NativeLibraryAtStartup
{
    /// <summary>The library in the test output folder, or null where there is none (not Linux x64).</summary>
    public static string? Library { get; private set; }

    /// <summary>Whether its GLIBCXX_3.4.32 requirement was weak before any test ran; null when not required.</summary>
    public static bool? Glibcxx3432Weak { get; private set; }

    public static Exception? Error { get; private set; }

#pragma warning disable CA2255 // a module initializer in a test assembly: runs once, before any test code
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Record()
    {
        try
        {
            Library = Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).FirstOrDefault();
            if (Library is not null)
                Glibcxx3432Weak = ElfVersionNeed.IsRequirementWeak(Library, ElfVersionNeed.TorchSharpUnneededVersion);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Error = e; // reported by the test that needs it, not by every test
        }
    }
}
