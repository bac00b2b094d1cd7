using System.Diagnostics;

namespace ModelLoop.Tests.Evaluation;

/// <summary>Debian's chromium, headless: screenshots and the DOM after load of a local HTML file.</summary>
internal static class HeadlessChromium
{
    public const string Executable = "/usr/bin/chromium";

    public static void EnsureInstalled()
    {
        if (!File.Exists(Executable))
            Assert.Fail($"{Executable} is missing: the report rendering test needs Debian's chromium. Install it with `apt-get install chromium` (./build.sh test does).");
    }

    /// <summary>Loads <paramref name="html"/> at 1280 × <paramref name="height"/> and writes a PNG screenshot.</summary>
    public static void Screenshot(string html, string png, int height = 4000) =>
        Run(html, $"--screenshot={png} --window-size=1280,{height}");

    /// <summary>The serialized DOM after the page's load event (scripts have run).</summary>
    public static string DumpDom(string html, int height = 4000) =>
        Run(html, $"--dump-dom --window-size=1280,{height}");

    private static string Run(string html, string arguments)
    {
        var profile = Directory.CreateTempSubdirectory("modelloop-chromium-");
        try
        {
            var start = new ProcessStartInfo(Executable,
                "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking " +
                $"--disable-component-update --disable-sync --hide-scrollbars --user-data-dir={profile.FullName} {arguments} file://{html}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Executable}.");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"chromium did not finish within 90 s. stderr: {stderr.Result}");
            }
            Assert.True(process.ExitCode == 0, $"chromium exited with {process.ExitCode}. stderr: {stderr.Result}");
            return stdout.Result;
        }
        finally
        {
            try { profile.Delete(recursive: true); } catch (IOException) { /* chromium may still hold a lock file for a moment */ }
        }
    }
}
