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
        TensorDataset fit = train, score = test;
        if (holdOut > 0)
        {
            (fit, score) = train.Split(1 - (double)holdOut / train.Count, seed: 14);
            Console.WriteLine($"validation run: {fit.Count:N0} training images, {score.Count:N0} held-out training images scored; the test set is not used");
        }
        using var scattering = new ScatteringTransform(28, 28, options.Int("scales", 2), options.Int("orientations", 8));
        using var fitFeatures = scattering.Transform(fit);
        using var scoreFeatures = scattering.Transform(score);
        var featureSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"scattering features {string.Join("×", fitFeatures.SampleShape.ToArray())} of {fit.Count + score.Count:N0} images in {featureSeconds:F0} s");

        random.manual_seed(seed);
        using var model = new Sequential(fitFeatures.SampleShape)
        {
            new GroupNorm(groups),
            new Flatten(),
            new Dense(10),
        };
        model.Compile(OptimizerOptions.Sgd(lr, momentum: momentum), Loss.CrossEntropy(), ["accuracy"]);
        var plugin = new DpSgdPlugin(new DpSgdOptions { TargetEpsilon = epsilon, Delta = delta, MaxGradNorm = clip });
        Console.WriteLine($"DP-SGD ScatterNet + linear: {fit.Count:N0} train, target (ε, δ) = ({epsilon}, {delta:G}), {epochs} epochs, expected batch {batch}, " +
                          $"SGD lr {lr} momentum {momentum}, C = {clip}, GroupNorm({groups}), {model.ParameterCount:N0} parameters, {TorchRuntime.Threads} thread(s)");
        var history = model.Fit(fitFeatures, new FitOptions { Epochs = epochs, BatchSize = batch, Seed = seed, Progress = ProgressMode.Lines, Plugins = [plugin] }, validation: scoreFeatures);
        var what = holdOut > 0 ? "validation" : "test";
        Console.WriteLine($"σ = {plugin.NoiseMultiplier:F4}, q = {plugin.SampleRate:F5}, {plugin.Accountant.Steps} steps, final ε = {plugin.Epsilon:F3} at δ = {delta:G}");
        Console.WriteLine($"{what} accuracy after the last epoch: {history["val_accuracy"][^1]:P2} (best epoch {history["val_accuracy"].Max():P2}); " +
                          $"features {featureSeconds:F0} s, total {clock.Elapsed.TotalMinutes:F1} min");
        if (holdOut > 0)
        {
            fit.Dispose();
            score.Dispose();
        }
    }
}
