// Trains ChildTraining's model with a checkpoint, for the kill/resume test.
//
//   dotnet ModelLoop.Tests.TrainChild.dll --checkpoint PATH --epochs N --weights-out PATH [--pause-ms MS]
//
// Prints "epoch K" (1-based) as each epoch ends, then "resumed-from R" and "done" once the weights are saved.
// --pause-ms sleeps before every epoch from the third on, which gives the test time to kill the run after
// "epoch 2" (the sleep comes after Fit wrote epoch 2's checkpoint; the kill may also land while it writes).
using System.Globalization;
using ModelLoop.Native;
using ModelLoop.Tests.TrainChild;
using ModelLoop.Training;
using TorchSharp;

var arguments = args.Chunk(2).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
if (!arguments.TryGetValue("--checkpoint", out var checkpoint) || !arguments.TryGetValue("--epochs", out var epochsText)
    || !arguments.TryGetValue("--weights-out", out var weightsOut))
{
    Console.Error.WriteLine("Usage: ModelLoop.Tests.TrainChild --checkpoint PATH --epochs N --weights-out PATH [--pause-ms MS]");
    return 2;
}
var epochs = int.Parse(epochsText, CultureInfo.InvariantCulture);
var pause = arguments.TryGetValue("--pause-ms", out var pauseText) ? int.Parse(pauseText, CultureInfo.InvariantCulture) : 0;

TorchRuntime.EnsureLoaded();
torch.set_num_threads(1);
using var data = ChildTraining.Data();
using var model = ChildTraining.Model();
var history = model.Fit(data, ChildTraining.Options(epochs, checkpoint), callbacks: [new Report(pause)]);
model.SaveWeights(weightsOut);
Console.WriteLine($"resumed-from {history.ResumedFromEpoch}");
Console.WriteLine("done");
return 0;

internal sealed class Report(int pauseMilliseconds) : Callback
{
    public override void OnEpochBegin(TrainingContext context)
    {
        if (pauseMilliseconds > 0 && context.Epoch >= 2)
            Thread.Sleep(pauseMilliseconds);
    }

    // Runs before Fit writes this epoch's checkpoint: a kill right after this line may land mid-write.
    public override void OnEpochEnd(TrainingContext context)
    {
        Console.WriteLine($"epoch {context.Epoch + 1}");
        Console.Out.Flush();
    }
}
