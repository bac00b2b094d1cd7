// Transfer learning with few labels: a zoo CNN pretrained on 8 Fashion-MNIST classes, its weights loaded where they
// fit into a model with a new 2-class head (WeightTransfer.Load: what was loaded, skipped, new), fine-tuned on 100
// labels of the 2 held-out classes, against the same architecture trained from scratch on the same 100 labels (every
// layer, same epochs, the best of a few learning rates), averaged over several draws of the labels. See
// docs/benchmarks.md (issue 12, (d)) for the figures of every pair and mode tried.
//
//   dotnet run -c Release --project samples/TransferLearning                        bn-cnn, all 48,000 pretraining images
//   dotnet run -c Release --project samples/TransferLearning -- --held-out 2,4      Pullover vs Coat
//   dotnet run -c Release --project samples/TransferLearning -- --ci                4,000 pretraining images, 2 epochs, 1 seed;
//                                                                                   below a 70% floor it exits with code 1
using System.Globalization;
using ModelLoop.Data;
using ModelLoop.Samples;

var options = new SampleArgs(args);
var heldOut = Numbers(options.String("held-out", "the two classes left out of pretraining, e.g. 2,4 (default: 0,6 = T-shirt/top, Shirt)") ?? "0,6");
var labels = options.Int("labels", 100, "labelled images of the held-out classes, drawn anew per seed");
var pretrainLimit = options.OptionalInt("limit", "pretraining images (default: all 48,000; 4,000 with --ci)") ?? (options.Ci ? 4_000 : null);
var pretrainEpochs = options.Int("epochs", options.Ci ? 2 : 4, "pretraining epochs (2 with --ci)");
var fineTuneEpochs = options.Int("fine-tune-epochs", options.Ci ? 10 : 30, "fine-tuning epochs over the few labels (10 with --ci)");
var seeds = Numbers(options.String("seeds", "draws of the labels, e.g. 1,2,3 (default: 1,2,3; 1 with --ci)") ?? (options.Ci ? "1" : "1,2,3"));
var model = options.String("model", "bn-cnn or keras-cnn (default: bn-cnn)") ?? "bn-cnn";
var modes = (options.String("modes", "transfer modes, the first is the figure's: full, probe (default: full,probe; full with --ci)") ?? (options.Ci ? "full" : "full,probe")).Split(',');
var rates = (options.String("scratch-rates", "Adam learning rates of the scratch model (default: 0.0003,0.001,0.003; 0.001 with --ci)") ?? (options.Ci ? "0.001" : "0.0003,0.001,0.003"))
    .Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
var augment = options.Flag("augment", "random flips and crops while fine-tuning, for both models");
var data = options.String("data", "folder of the Fashion-MNIST IDX files") ?? FashionMnist.DefaultDirectory;
if (!options.Ready("TransferLearning: pretrain on 8 Fashion-MNIST classes, fine-tune on 100 labels of the other 2, against training from scratch."))
    return;
if (heldOut.Length != 2 || heldOut.Distinct().Count() != 2 || heldOut.Any(c => c is < 0 or > 9))
    throw new ArgumentException($"--held-out expects two different class numbers in 0–9, e.g. 2,4; received '{string.Join(",", heldOut)}'.");

var outcome = FewShotTransfer.Run(new FewShotSettings(heldOut, labels, pretrainLimit, pretrainEpochs, fineTuneEpochs, [.. seeds.Select(s => (long)s)], data,
    model, modes, rates, augment), Console.WriteLine);
Console.WriteLine($"Test accuracy on the 2 held-out classes ({outcome.HeldOutTestImages:N0} images), mean of {outcome.Draws.Count} draw(s) of {labels} labels:");
foreach (var mode in modes)
{
    var gains = outcome.Gains(mode);
    Console.WriteLine($"  transferred ({mode}): {outcome.Transferred(mode):P2}; gain over scratch {gains.Average():F1} points (per seed {string.Join(", ", gains.Select(g => g.ToString("F1", CultureInfo.InvariantCulture)))})");
}
Console.WriteLine($"  from scratch (best Adam rate {outcome.BestScratchRate.ToString(CultureInfo.InvariantCulture)} by mean test accuracy): {outcome.Scratch:P2}");
Console.WriteLine($"  gain ({modes[0]}): {outcome.Gains(modes[0]).Average():F1} points (target ≥ 10)");
options.RequireAtLeast("transferred test accuracy", outcome.Transferred(modes[0]), floor: 0.70, "P1");

static int[] Numbers(string list) => [.. list.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
