// Transfer learning with few labels: a zoo CNN pretrained on 8 Fashion-MNIST classes, its weights loaded where they
// fit into a model with a new 2-class head (WeightTransfer.Load: what was loaded, skipped, new), fine-tuned on 100
// labels of the 2 held-out classes, against the same architecture trained from scratch on the same 100 labels (every
// layer, same epochs), averaged over several draws of the labels. Each side tries a few recipes (transfer: full
// fine-tuning at 3 rates, a linear probe, LP-FT at 3 rates; scratch: 4 rates) and keeps the one with the best mean
// accuracy on 1,000 further images of the 2 classes that neither trains on; the test images only measure the picks.
// See docs/benchmarks.md (issue 12, (d)) for the figures of every pair and mode tried.
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
var modes = (options.String("modes", "transfer modes tried: full, probe, lpft (default: full,probe,lpft; full with --ci)") ?? (options.Ci ? "full" : "full,probe,lpft")).Split(',');
var transferRates = Rates(options.String("transfer-rates", "Adam learning rates of the full and lpft modes (default: 0.0001,0.0003,0.001; 0.0001 with --ci)") ?? (options.Ci ? "0.0001" : "0.0001,0.0003,0.001"));
var rates = Rates(options.String("scratch-rates", "Adam learning rates of the scratch model (default: 0.0003,0.001,0.003,0.01; 0.001 with --ci)") ?? (options.Ci ? "0.001" : "0.0003,0.001,0.003,0.01"));
var validationImages = options.Int("validation", options.Ci ? 200 : 1_000, "further labelled images of the 2 classes, never trained on, on which each side picks its recipe (200 with --ci)");
var smoothing = double.Parse(options.String("pretrain-label-smoothing", "label smoothing of the pretraining (default: 0)") ?? "0", CultureInfo.InvariantCulture);
var augment = options.Flag("augment", "random flips and crops while fine-tuning, for both models");
var data = options.String("data", "folder of the Fashion-MNIST IDX files") ?? FashionMnist.DefaultDirectory;
if (!options.Ready("TransferLearning: pretrain on 8 Fashion-MNIST classes, fine-tune on 100 labels of the other 2, against training from scratch."))
    return;
if (validationImages is < 2 or > 10_000)
    throw new ArgumentException($"--validation expects 2 to 10,000 images (half per class); received {validationImages}.");
if (!(smoothing is >= 0 and < 1))
    throw new ArgumentException($"--pretrain-label-smoothing expects a number in [0, 1), e.g. 0.1; received {smoothing.ToString(CultureInfo.InvariantCulture)}.");
if (heldOut.Length != 2 || heldOut.Distinct().Count() != 2 || heldOut.Any(c => c is < 0 or > 9))
    throw new ArgumentException($"--held-out expects two different class numbers in 0–9, e.g. 2,4; received '{string.Join(",", heldOut)}'.");

var outcome = FewShotTransfer.Run(new FewShotSettings(heldOut, labels, pretrainLimit, pretrainEpochs, fineTuneEpochs, [.. seeds.Select(s => (long)s)], data,
    model, modes, rates, augment, transferRates, validationImages, smoothing), Console.WriteLine);
Console.WriteLine($"Pretrained model: {outcome.Pretrained:P2} on the 8 classes. Mean of {outcome.Draws.Count} draw(s) of {labels} labels, recipes picked on validation images:");
Console.WriteLine($"  transferred ({outcome.BestTransfer}): {outcome.Transferred():P2} test accuracy ({outcome.HeldOutTestImages:N0} images)");
Console.WriteLine($"  from scratch ({outcome.BestScratch}): {outcome.Scratch:P2}");
var gains = outcome.Gains;
Console.WriteLine($"  gain: {gains.Average():F1} points (per seed {string.Join(", ", gains.Select(g => g.ToString("F1", CultureInfo.InvariantCulture)))}; target ≥ 10)");
options.RequireAtLeast("transferred test accuracy", outcome.Transferred(), floor: 0.70, "P1");

static int[] Numbers(string list) => [.. list.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
static double[] Rates(string list) => [.. list.Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture))];
