using System.Diagnostics;

namespace ModelLoop.Optimization.Tests.Quantization;

/// <summary>Runs Debian's onnx.checker (python3-onnx, /usr/bin/python3) with full shape inference on a model.</summary>
internal static class OnnxCheck
{
    /// <returns>null when the checker passes, else its error output.</returns>
    public static string? Check(byte[] model)
    {
        var path = Path.Combine(Path.GetTempPath(), $"modelloop-check-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model);
        try
        {
            var start = new ProcessStartInfo("/usr/bin/python3")
            {
                ArgumentList = { "-c", "import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)", path },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : error;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
