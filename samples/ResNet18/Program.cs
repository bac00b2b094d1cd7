// ResNet-18 (He et al. 2016, small-image variant: 3×3 stem, no max-pool) on Fashion-MNIST.
//
//   dotnet run -c Release --project samples/ResNet18              short settings (also what --ci runs): width 16,
//                                                                 3 epochs on 1,024 training images, 1,000 test images;
//                                                                 a smoke test (76.0–79.2% over 3 runs) that runs in about a minute
//                                                                 on 2 cores; with --ci, below the 68% floor it exits with code 1.
//                                                                 Runs are not bit-identical (multithreaded convolution
//                                                                 gradients sum in varying order), and with 512 images (48 steps
//                                                                 of batch norm) the same seed gave 50.9–70.1%: too noisy to gate.
//   dotnet run -c Release --project samples/ResNet18 -- --full    the real thing: width 64 (≈ 11 M parameters), all 60,000
//                                                                 images, 10 epochs. GPU territory: ≈ 0.46 G multiply-adds
//                                                                 per image forward, so by FLOP count roughly 7 hours on a
//                                                                 2-core CPU; on a GPU, reference TorchSharp-cuda instead of
//                                                                 TorchSharp-cpu (ComputeDevice.Auto then picks CUDA).
using ModelLoop.Data;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Native;
using ModelLoop.Samples;
using ModelLoop.Training;

var options = new SampleArgs(args);
var full = options.Flag("full", "width 64, all data, 10 epochs (GPU territory)");
var width = options.Int("width", full ? 64 : 16, "channels of the first stage; 64 is the paper's");
var epochs = options.Int("epochs", full ? 10 : 3, "training epochs");
var limit = options.OptionalInt("limit", "use only the first N training images (default: 1,024; all with --full)") ?? (full ? null : 1_024);
var testLimit = options.OptionalInt("test-limit", "use only the first N test images (default: 1,000; all with --full)") ?? (full ? null : 1_000);
var data = options.String("data", "folder of the Fashion-MNIST IDX files") ?? FashionMnist.DefaultDirectory;
if (!options.Ready("ResNet18: ResNet-18 on Fashion-MNIST."))
    return;

var (train, test) = FashionMnist.Load(data, trainLimit: limit, testLimit: testLimit);
Console.WriteLine($"Fashion-MNIST: {train.Count:N0} training and {test.Count:N0} test images.");

using var model = ModelZoo.ResNet18(train.SampleShape, FashionMnist.ClassNames.Length, width: width)
    .To(ComputeDevice.Auto);   // a GPU when TorchSharp has one, else the CPU
Console.WriteLine($"ResNet-18, width {width}: {model.ParameterCount:N0} parameters on {model.Device}.");
// Adam with a one-cycle learning-rate schedule.
model.Compile(OptimizerOptions.Adam(learningRate: 0.002), Loss.CrossEntropy(), ["accuracy"]);
// Batch 32 on the short run: enough steps (48) for batch norm's running statistics, used at test time, to
// settle; after ~16 steps they still remember their initial values and test accuracy is near chance.
model.Fit(train, new FitOptions { Epochs = epochs, BatchSize = full ? 128 : 32, Seed = 42, Schedule = LearningRateSchedule.OneCycle() });

var result = model.Evaluate(test);
Console.WriteLine($"Test loss: {result["loss"]:F4}");
Console.WriteLine($"Test accuracy: {result["accuracy"]:P2}");
options.RequireAtLeast("test accuracy", result["accuracy"], floor: 0.68, "P1");
