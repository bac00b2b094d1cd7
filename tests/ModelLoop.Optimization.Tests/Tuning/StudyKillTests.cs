using System.Collections.Concurrent;
using System.Diagnostics;
using ModelLoop.Optimization.Tuning;

namespace ModelLoop.Optimization.Tests.Tuning;

/// <summary>
/// A worker process (ModelLoop.Optimization.Tests.TuneChild, copied into the test folder by a project reference) killed
/// with SIGKILL mid-study: every trial it reported finished is in the storage, and the study resumes to its budget.
/// </summary>
public sealed class StudyKillTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-tuning-kill-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void A_study_killed_with_sigkill_loses_no_finished_trial_and_resumes_to_its_budget()
    {
        var db = Path.Combine(_folder.FullName, "studies.db");
        var lines = new BlockingCollection<string>();
        using var child = StartChild(lines, db, "killed", "12", "150");
        var finished = new List<int>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (finished.Count < 3)
        {
            Assert.True(lines.TryTake(out var line, deadline - DateTime.UtcNow > TimeSpan.Zero ? deadline - DateTime.UtcNow : TimeSpan.Zero),
                $"The child did not finish 3 trials within 90 s (exit: {(child.HasExited ? child.ExitCode : "running")}).");
            if (line.StartsWith("finished ", StringComparison.Ordinal))
                finished.Add(int.Parse(line["finished ".Length..], System.Globalization.CultureInfo.InvariantCulture));
        }
        Thread.Sleep(200); // mid-trial: the next trial has reported a step or two
        child.Kill(); // SIGKILL on Unix: no finally blocks, no flush
        child.WaitForExit();

        var storage = new StudyStorage(db);
        Assert.Equal("ok", storage.CheckIntegrity());
        var study = Study.Load(storage, "killed");
        var trials = study.Trials();
        foreach (var number in finished)
        {
            var trial = trials.Single(t => t.Number == number);
            Assert.Equal(TrialState.Complete, trial.State);
            Assert.NotNull(trial.Value);
            Assert.Equal(3, trial.Intermediate.Count);
        }
        Assert.Contains(trials, t => t.State == TrialState.Running); // the one it was running

        var resumed = Study.Open(storage, "killed", study.Space, new StudyOptions
        {
            Direction = StudyDirection.Minimize, Metric = "loss", Sampler = new RandomSampler(1), StaleAfter = TimeSpan.FromSeconds(1),
        });
        resumed.Optimize(trial => trial.GetNumber("l2"), new OptimizeOptions { Trials = 12 });

        var after = resumed.Trials();
        Assert.Equal(12, after.Count(t => t.State == TrialState.Complete));
        Assert.DoesNotContain(after, t => t.State == TrialState.Running);
        Assert.All(after.Where(t => t.State == TrialState.Fail), t => Assert.True(t.Abandoned));
        Assert.Equal(after.Count, after.Select(t => t.Number).Distinct().Count());
    }

    private static Process StartChild(BlockingCollection<string> lines, params string[] arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ModelLoop.Optimization.Tests.TuneChild.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing; the test project references TuneChild so the build copies it there.");
        var host = Environment.ProcessPath is { } current && Path.GetFileNameWithoutExtension(current) == "dotnet"
            ? current
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } sdk && File.Exists(sdk) ? sdk : "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                lines.Add(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
