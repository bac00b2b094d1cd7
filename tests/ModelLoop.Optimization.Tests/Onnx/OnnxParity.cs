using System.Diagnostics;
using ModelLoop.Modeling;
using ModelLoop.Native;
using ModelLoop.Optimization.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Tests.Onnx;

/// <summary>Test helpers: random inputs and statistics, ONNX-vs-TorchSharp comparison, and the onnx.checker run.</summary>
internal static class OnnxParity
{
    public const double Tolerance = 1e-4;
    public const int Samples = 1000;

    /// <summary>
    /// Gives every 1-D parameter (norm scales and shifts, biases) and BatchNorm's running statistics random
    /// values, so the comparison exercises them rather than their identity defaults.
    /// </summary>
    public static void RandomizeStatistics(Model model, long seed = 3)
    {
        TorchRuntime.EnsureLoaded();
        using var generator = new Generator().manual_seed(seed);
        using var _ = no_grad();
        foreach (var (name, parameter) in model.Network.named_parameters())
        {
            if (parameter.dim() != 1)
                continue;
            using var values = name.EndsWith(".weight", StringComparison.Ordinal)
                ? rand(parameter.shape, generator: generator) + 0.5
                : randn(parameter.shape, generator: generator) * 0.1;
            parameter.copy_(values);
        }
        foreach (var (name, buffer) in model.Network.named_buffers())
        {
            if (name.EndsWith("running_mean", StringComparison.Ordinal))
                buffer.copy_(randn(buffer.shape, generator: generator) * 0.1);
            else if (name.EndsWith("running_var", StringComparison.Ordinal))
                buffer.copy_(rand(buffer.shape, generator: generator) + 0.5);
        }
    }

    /// <summary>Runs onnx.checker.check_model(full_check=True) in Debian's python3-onnx; null when it passes, else its error.</summary>
    public static string? Check(byte[] onnx)
    {
        var path = Path.Combine(Path.GetTempPath(), $"modelloop-onnx-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, onnx);
        try
        {
            var start = new ProcessStartInfo("/usr/bin/python3")
            {
                ArgumentList = { "-c", "import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)", path },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : error.Result;
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Whether /usr/bin/python3 has the onnx package (Debian python3-onnx, which build.sh test installs).</summary>
    public static bool CheckerAvailable { get; } = File.Exists("/usr/bin/python3") &&
        File.Exists("/usr/lib/python3/dist-packages/onnx/__init__.py");

    /// <summary>Exports, then asserts the checker passes and ONNX Runtime matches TorchSharp within <see cref="Tolerance"/>.</summary>
    public static byte[] AssertMatches(Model model, int samples = Samples)
    {
        model.Network.eval();
        var onnx = OnnxExporter.Export(model);
        var difference = OnnxVerification.MaxDifference(model, onnx, samples, seed: 11);
        Assert.True(difference <= Tolerance, $"ONNX Runtime's outputs differ from TorchSharp's by up to {difference:E2} on {samples} inputs (allowed {Tolerance:E0}).");
        if (CheckerAvailable)
        {
            var error = Check(onnx);
            Assert.True(error is null, $"onnx.checker.check_model(full_check=True) failed: {error}");
        }
        else
        {
            Console.Error.WriteLine("onnx.checker skipped: /usr/bin/python3 lacks the onnx package (apt-get install python3-onnx).");
        }
        return onnx;
    }
}
