// Transfer learning with few labels: the seed's Keras CNN pretrained on 8 Fashion-MNIST classes, its weights loaded
// where they fit into a model with a new 2-class head (WeightTransfer.Load: what was loaded, skipped, new), fine-tuned
// on 100 labels of the 2 held-out classes (the convolution frozen, the head at 10× the rate), against the same model
// trained from scratch on the same 100 labels (every layer trained, same optimizer and epochs).
//
//   dotnet run -c Release --project samples/TransferLearning             all 48,000 pretraining images, 2 epochs
//   dotnet run -c Release --project samples/TransferLearning -- --limit 16000
//                                                                       81.6% transferred vs 80.4% from scratch (T-shirt/top vs
//                                                                       Shirt; docs/benchmarks.md: the issue's +10 points not reached)
//   dotnet run -c Release --project samples/TransferLearning -- --ci     4,000 pretraining images, 1 epoch, 10 fine-tuning epochs:
//                                                                       79.9% transferred measured; below the 70% floor it exits with code 1
using System.Globalization;
using ModelLoop.Data;
using ModelLoop.Samples;

var options = new SampleArgs(args);
var heldOut = (options.String("held-out", "the two classes left out of pretraining, e.g. 2,6 (default: 0,6 = T-shirt/top, Shirt)") ?? "0,6")
    .Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
var labels = options.Int("labels", 100, "labelled images of the held-out classes");
var pretrainLimit = options.OptionalInt("limit", "pretraining images (default: all 48,000; 4,000 with --ci)") ?? (options.Ci ? 4_000 : null);
var pretrainEpochs = options.Int("epochs", options.Ci ? 1 : 2, "pretraining epochs (1 with --ci)");
var fineTuneEpochs = options.Int("fine-tune-epochs", options.Ci ? 10 : 30, "fine-tuning epochs over the few labels (10 with --ci)");
var seed = options.Int("seed", 1, "seed of the subsets and both models");
var data = options.String("data", "folder of the Fashion-MNIST IDX files") ?? FashionMnist.DefaultDirectory;
if (!options.Ready("TransferLearning: pretrain on 8 Fashion-MNIST classes, fine-tune on 100 labels of the other 2, against training from scratch."))
    return;
if (heldOut.Length != 2 || heldOut.Distinct().Count() != 2 || heldOut.Any(c => c is < 0 or > 9))
    throw new ArgumentException($"--held-out expects two different class numbers in 0–9, e.g. 2,6; received '{string.Join(",", heldOut)}'.");

var outcome = FewShotTransfer.Run(new FewShotSettings(heldOut, labels, pretrainLimit, pretrainEpochs, fineTuneEpochs, seed, data, Frozen: ["conv2d_1."]), Console.WriteLine);
Console.WriteLine($"Test accuracy on the 2 held-out classes ({outcome.HeldOutTestImages:N0} images):");
Console.WriteLine($"  transferred: {outcome.Transferred:P2}");
Console.WriteLine($"  from scratch: {outcome.Scratch:P2}");
Console.WriteLine($"  gain: {(outcome.Transferred - outcome.Scratch) * 100:F1} points (target ≥ 10)");
options.RequireAtLeast("transferred test accuracy", outcome.Transferred, floor: 0.70, "P1");
