// Runs (or resumes) a retraining job, for the kill test.
//
//   dotnet ModelLoop.Monitoring.Tests.RetrainChild.dll --home DIR --model NAME --feedback PATH --policy FILE [--pause-ms MS]
//
// Prints "step MESSAGE" as each step is recorded, then "state STATE" and "done". --pause-ms sleeps after every step,
// which stretches the job so a kill at a random moment lands between, or inside, its steps.
using System.Globalization;
using ModelLoop.Monitoring.Retraining;
using ModelLoop.Native;
using TorchSharp;

var arguments = args.Chunk(2).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
if (!arguments.TryGetValue("--home", out var home) || !arguments.TryGetValue("--model", out var model)
    || !arguments.TryGetValue("--feedback", out var feedback) || !arguments.TryGetValue("--policy", out var policy))
{
    Console.Error.WriteLine("Usage: ModelLoop.Monitoring.Tests.RetrainChild --home DIR --model NAME --feedback PATH --policy FILE [--pause-ms MS]");
    return 2;
}
var pause = arguments.TryGetValue("--pause-ms", out var pauseText) ? int.Parse(pauseText, CultureInfo.InvariantCulture) : 0;

TorchRuntime.EnsureLoaded();
torch.set_num_threads(1);
var outcome = RetrainingJob.Run(new RetrainingRequest { Model = model, Feedback = [feedback], Policy = RetrainingPolicy.Load(policy), Home = home }, message =>
{
    Console.WriteLine($"step {message}");
    Console.Out.Flush();
    Thread.Sleep(pause);
});
Console.WriteLine($"state {outcome.Job.State}");
Console.WriteLine("done");
return 0;
