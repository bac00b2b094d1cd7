using System.Globalization;
using System.Text.Json.Nodes;
using ModelLoop.Optimization.Tuning;

// usage: TuneChild DB STUDY TRIALS SLEEP_MS
// Optimizes a quadratic over l2 and labelSmoothing with random search; each trial reports three steps, sleeping
// between them, and "finished N" is printed after trial N is committed, so the test knows what must survive a kill.
var (db, name, trials, sleep) = (args[0], args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture));
var space = SearchSpace.Parse(JsonNode.Parse("""
    { "l2": { "type": "float", "low": 0, "high": 1 }, "labelSmoothing": { "type": "float", "low": 0, "high": 0.5 } }
    """));
var study = Study.Open(new StudyStorage(db), name, space, new StudyOptions { Direction = StudyDirection.Minimize, Metric = "loss", Sampler = new RandomSampler(1) });
study.Optimize(trial =>
{
    var value = Math.Pow(trial.GetNumber("l2") - 0.3, 2) + trial.GetNumber("labelSmoothing");
    for (var step = 1; step <= 3; step++)
    {
        Thread.Sleep(sleep);
        trial.Report(step, value + 1.0 / step);
    }
    return value;
}, new OptimizeOptions
{
    Trials = trials,
    OnTrialFinished = (trial, _) => Console.Out.WriteLine($"finished {trial.Number}"),
});
Console.Out.WriteLine("done");
return 0;
