using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Samples;

/// <summary>What <see cref="FewShotTransfer.Run"/> trains: the classes held out of pretraining, the sizes and the seed.</summary>
/// <param name="HeldOut">The two Fashion-MNIST classes left out of pretraining and learned from few labels.</param>
/// <param name="Labels">Labelled training images of the held-out classes (half per class).</param>
/// <param name="PretrainLimit">Pretraining images (of the 8 other classes); null for all 48,000.</param>
/// <param name="Frozen">Parameter name prefixes the transferred model keeps as loaded (the scratch model trains every layer).</param>
internal sealed record FewShotSettings(int[] HeldOut, int Labels, int? PretrainLimit, int PretrainEpochs, int FineTuneEpochs, long Seed, string DataDirectory, IReadOnlyList<string> Frozen);

/// <summary>Test accuracies: the pretrained model on its 8 classes, and the transferred and scratch models on the 2 held-out classes.</summary>
internal sealed record FewShotOutcome(double Pretrained, double Transferred, double Scratch, WeightTransferReport Report, long HeldOutTestImages);

/// <summary>
/// Transfer learning with few labels on Fashion-MNIST: the seed's Keras CNN is pretrained on 8 classes; a new model
/// with a 2-class head takes its weights where name and shape fit (<see cref="WeightTransfer.Load"/>: the convolution and
/// the hidden Dense load, the 8-class head is skipped) and is fine-tuned on a few labels of the 2 held-out classes with
/// the convolution frozen and the new head at 10× the learning rate; the same model trained from scratch on the same
/// labels, with the same recipe, is the reference. Shared by samples/TransferLearning and the compression benchmark.
/// </summary>
internal static class FewShotTransfer
{
    public static FewShotOutcome Run(FewShotSettings settings, Action<string> log)
    {
        var (train, test) = FashionMnist.Load(settings.DataDirectory);
        using (train)
        using (test)
        {
            var kept = Enumerable.Range(0, 10).Except(settings.HeldOut).ToArray();
            using var pretrainSet = Subset(train, kept, settings.PretrainLimit, settings.Seed);
            using var pretrainTest = Subset(test, kept, null, settings.Seed);
            using var fewShot = Subset(train, settings.HeldOut, settings.Labels, settings.Seed, balanced: true);
            using var heldOutTest = Subset(test, settings.HeldOut, null, settings.Seed);
            log($"Pretraining on {pretrainSet.Count:N0} images of classes {string.Join(", ", kept.Select(c => FashionMnist.ClassNames[c]))}; " +
                $"fine-tuning on {fewShot.Count} labels of {string.Join(" and ", settings.HeldOut.Select(c => FashionMnist.ClassNames[c]))}, tested on {heldOutTest.Count:N0} images.");

            random.manual_seed(settings.Seed);
            using var pretrained = ModelZoo.KerasCnn(train.SampleShape, kept.Length);
            pretrained.Compile(OptimizerOptions.Adam(), Loss.CrossEntropy(), ["accuracy"]);
            pretrained.Fit(pretrainSet, new FitOptions { Epochs = settings.PretrainEpochs, BatchSize = 64, Seed = settings.Seed, Progress = ProgressMode.Silent });
            var pretrainedAccuracy = pretrained.Evaluate(pretrainTest)["accuracy"];
            log($"Pretrained: {pretrainedAccuracy:P2} on the 8 classes' test images.");

            random.manual_seed(settings.Seed + 1);
            using var transferred = ModelZoo.KerasCnn(train.SampleShape, settings.HeldOut.Length);
            var report = WeightTransfer.Load(transferred, pretrained);
            log($"Partial load: {report}");
            var transferAccuracy = FineTune(transferred, fewShot, heldOutTest, settings, settings.Frozen);

            random.manual_seed(settings.Seed + 1);
            using var scratch = ModelZoo.KerasCnn(train.SampleShape, settings.HeldOut.Length);
            var scratchAccuracy = FineTune(scratch, fewShot, heldOutTest, settings, []);
            return new FewShotOutcome(pretrainedAccuracy, transferAccuracy, scratchAccuracy, report, heldOutTest.Count);
        }
    }

    /// <summary>The recipe of both models: Adam, the head ("dense_2.") at 10× the rate, the <paramref name="frozen"/> layers as they are.</summary>
    private static double FineTune(Model model, TensorDataset train, TensorDataset test, FewShotSettings settings, IReadOnlyList<string> frozen)
    {
        model.Compile(OptimizerOptions.Adam(1e-3), Loss.CrossEntropy(), ["accuracy"], new CompileOptions
        {
            Trainable = name => !frozen.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)),
            ParameterGroups = [new ParameterGroup("head", name => name.StartsWith("dense_2.", StringComparison.Ordinal)) { LearningRateScale = 10 }],
        });
        model.Fit(train, new FitOptions { Epochs = settings.FineTuneEpochs, BatchSize = 20, Seed = settings.Seed, Progress = ProgressMode.Silent });
        return model.Evaluate(test)["accuracy"];
    }

    /// <summary>
    /// The images of <paramref name="classes"/>, relabelled 0… in that order; at most <paramref name="limit"/> of them,
    /// drawn at random (seeded), the same number per class when <paramref name="balanced"/>.
    /// </summary>
    private static TensorDataset Subset(TensorDataset data, int[] classes, int? limit, long seed, bool balanced = false)
    {
        using var scope = NewDisposeScope();
        var labels = data.Labels;
        var generator = new Generator((ulong)seed);
        var picked = new List<Tensor>();
        foreach (var c in classes)
        {
            var rows = labels.eq(c).nonzero().flatten();
            if (balanced && limit is { } total)
                rows = rows.index_select(0, randperm(rows.shape[0], generator: generator)[..(total / classes.Length)]);
            picked.Add(rows);
        }
        var index = cat(picked.ToArray());
        if (!balanced && limit is { } most && most < index.shape[0])
            index = index.index_select(0, randperm(index.shape[0], generator: generator)[..most]);
        // Map the chosen classes to 0…k−1: (10,) lookup table.
        var relabel = full(10, -1L, ScalarType.Int64);
        for (var i = 0; i < classes.Length; i++)
            relabel[classes[i]].fill_(i);
        var features = data.Features.index_select(0, index);
        var mapped = relabel.index_select(0, labels.index_select(0, index));
        return new TensorDataset(features.MoveToOuterDisposeScope(), mapped.MoveToOuterDisposeScope());
    }
}
