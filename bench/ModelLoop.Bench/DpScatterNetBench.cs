using System.Diagnostics;
using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Native;
using ModelLoop.Privacy.Features;
using ModelLoop.Privacy.Sgd;
using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Bench;

/// <summary>
/// <c>dp --part accuracy --model scatternet</c>: Tramèr &amp; Boneh 2021's "ScatterNet + linear" recipe on Fashion-MNIST.
/// Scattering features (J = 2, L = 8: 81 channels of 7×7) are computed once — they are fixed, so they cost no privacy —
/// then GroupNorm(27) (per sample, so no statistics of the private data are estimated) → flatten → dense(10) is trained
/// with DP-SGD: large Poisson batches, SGD with momentum, C = 0.1, σ calibrated to (ε, δ) for all the run's steps.
/// Pixels stay in their fixed [0, 1] scale. With <c>--validation N</c>, N training images are held out and scored
/// instead of the test set (for choosing hyperparameters without looking at the test set).
/// </summary>
internal static class DpScatterNetBench
{
    public static void Accuracy(TensorDataset train, TensorDataset test, BenchOptions options)
    {
        var epsilon = options.Double("epsilon", 3);
        var delta = options.Double("delta", 1e-5);
        var epochs = options.Int("epochs", 40);
        var batch = options.Int("batch", 8192);
        var lr = options.Double("lr", 4);
        var momentum = options.Double("momentum", 0.9);
        var clip = options.Double("clip", 0.1);
        var groups = options.Int("groups", 27);
        var seed = options.Int("seed", 1);
        var holdOut = options.Int("validation", 0);
        var clock = Stopwatch.StartNew();
        using var scattering = new ScatteringTransform(28, 28, options.Int("scales", 2), options.Int("orientations", 8));
        // The features depend only on the images and (J, L): computed once per cache folder, so choosing hyperparameters
        // on the validation split and the final test run share them.
        var cache = options.String("feature-cache", Path.Combine(Path.GetTempPath(), "modelloop-scatternet"));
        using var trainFeatures = Features(scattering, train, Path.Combine(cache, $"train-J{scattering.Scales}-L{scattering.Orientations}-{train.Count}"));
        using var testFeatures = Features(scattering, test, Path.Combine(cache, $"test-J{scattering.Scales}-L{scattering.Orientations}-{test.Count}"));
        var featureSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"scattering features {string.Join("×", trainFeatures.SampleShape.ToArray())} of {train.Count + test.Count:N0} images in {featureSeconds:F0} s (cache {cache})");
        TensorDataset fitFeatures = trainFeatures, scoreFeatures = testFeatures;
        if (holdOut > 0)
        {
            (fitFeatures, scoreFeatures) = trainFeatures.Split(1 - (double)holdOut / trainFeatures.Count, seed: 14);
            Console.WriteLine($"validation run: {fitFeatures.Count:N0} training images, {scoreFeatures.Count:N0} held-out training images scored; the test set is not used");
        }

        random.manual_seed(seed);
        using var model = new Sequential(fitFeatures.SampleShape)
        {
            new GroupNorm(groups),
            new Flatten(),
            new Dense(10),
        };
        model.Compile(OptimizerOptions.Sgd(lr, momentum: momentum), Loss.CrossEntropy(), ["accuracy"]);
        var plugin = new DpSgdPlugin(new DpSgdOptions { TargetEpsilon = epsilon, Delta = delta, MaxGradNorm = clip });
        Console.WriteLine($"DP-SGD ScatterNet + linear: {fitFeatures.Count:N0} train, target (ε, δ) = ({epsilon}, {delta:G}), {epochs} epochs, expected batch {batch}, " +
                          $"SGD lr {lr} momentum {momentum}, C = {clip}, GroupNorm({groups}), {model.ParameterCount:N0} parameters, {TorchRuntime.Threads} thread(s)");
        var history = model.Fit(fitFeatures, new FitOptions { Epochs = epochs, BatchSize = batch, Seed = seed, Progress = ProgressMode.Lines, Plugins = [plugin] }, validation: scoreFeatures);
        var what = holdOut > 0 ? "validation" : "test";
        Console.WriteLine($"σ = {plugin.NoiseMultiplier:F4}, q = {plugin.SampleRate:F5}, {plugin.Accountant.Steps} steps, final ε = {plugin.Epsilon:F3} at δ = {delta:G}");
        Console.WriteLine($"{what} accuracy after the last epoch: {history["val_accuracy"][^1]:P2} (best epoch {history["val_accuracy"].Max():P2}); " +
                          $"features {featureSeconds:F0} s, total {clock.Elapsed.TotalMinutes:F1} min");
        if (holdOut > 0)
        {
            fitFeatures.Dispose();
            scoreFeatures.Dispose();
        }
    }

    /// <summary>The scattering features of <paramref name="images"/>, read from <paramref name="path"/> if an earlier run saved them.</summary>
    private static TensorDataset Features(ScatteringTransform scattering, TensorDataset images, string path)
    {
        string features = path + ".features.pt", labels = path + ".labels.pt";
        if (File.Exists(features) && File.Exists(labels))
            return new TensorDataset(Tensor.load(features), Tensor.load(labels)); // Tensor.load reads what Tensor.save wrote
        var clock = Stopwatch.StartNew();
        var result = scattering.Transform(images);
        Console.WriteLine($"  computed {images.Count:N0} images' features in {clock.Elapsed.TotalSeconds:F0} s");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Written under temporary names and renamed, so a killed run never leaves a half-written cache behind.
        result.Features.save(features + ".tmp");
        result.Labels.save(labels + ".tmp");
        File.Move(labels + ".tmp", labels, overwrite: true);
        File.Move(features + ".tmp", features, overwrite: true);
        return result;
    }
}
