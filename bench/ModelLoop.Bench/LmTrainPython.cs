using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace ModelLoop.Bench;

/// <summary>
/// The `lm-train` bench's PyTorch side: bench/lm_train_reference.py --interleave as a child process that trains one
/// interval per <see cref="Interval"/> (a line "interval" on its stdin, its seconds back as one JSON line on stdout).
/// </summary>
internal sealed class LmTrainPython : IDisposable
{
    private readonly Process _process;

    private LmTrainPython(Process process) => _process = process;

    public static LmTrainPython Start(string python, string folder, int threads)
    {
        var start = new ProcessStartInfo(python, [Path.Combine("bench", "lm_train_reference.py"), folder, "--interleave"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        var count = threads.ToString(CultureInfo.InvariantCulture);
        start.Environment["OMP_NUM_THREADS"] = count;
        // Debian's torch multiplies through libblas.so.3; OpenBLAS (if installed) would otherwise start its own threads.
        start.Environment["OPENBLAS_NUM_THREADS"] = count;
        return new LmTrainPython(Process.Start(start)!);
    }

    /// <summary>Trains the next interval in PyTorch; returns its seconds.</summary>
    public double Interval()
    {
        _process.StandardInput.WriteLine("interval");
        _process.StandardInput.Flush();
        return (double)Read()["seconds"]!;
    }

    /// <summary>Ends training: the final validation loss, tokens/s and seconds over the intervals run.</summary>
    public JsonNode Finish()
    {
        _process.StandardInput.WriteLine("finish");
        _process.StandardInput.Close();
        return Read();
    }

    private JsonNode Read()
    {
        var line = _process.StandardOutput.ReadLine();
        if (line is null)
        {
            _process.WaitForExit();
            throw new InvalidOperationException($"bench/lm_train_reference.py exited with {_process.ExitCode} (its error output is above).");
        }
        return JsonNode.Parse(line)!;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill();
        _process.Dispose();
    }
}
