using ModelLoop.Data;
using ModelLoop.Data.Augmentation;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Training;
using ModelLoop.Training.Recipes;
using static TorchSharp.torch;

namespace ModelLoop.Samples;

/// <summary>What <see cref="FewShotTransfer.Run"/> trains: the classes held out of pretraining, the model, the sizes and the seeds.</summary>
/// <param name="HeldOut">The two Fashion-MNIST classes left out of pretraining and learned from few labels.</param>
/// <param name="Labels">Labelled training images of the held-out classes (half per class), drawn anew for every seed.</param>
/// <param name="PretrainLimit">Pretraining images (of the 8 other classes); null for all 48,000.</param>
/// <param name="Model">"bn-cnn" (width 32, pretrained with <see cref="ImageClassifierRecipe"/>) or "keras-cnn" (the seed's CNN, Adam 1e-3).</param>
/// <param name="Seeds">One draw of the labels (and of both models' initialization and batch order) per seed; pretraining uses the first.</param>
/// <param name="Modes">Fine-tuning modes of the transferred model, the first being the figure's: "full" (every layer at 1e-4, head at 1e-3), "probe" (only the new head, at 1e-2).</param>
/// <param name="ScratchRates">Adam learning rates tried for the model trained from scratch; the figure compares with the best of them by mean test accuracy (which favours scratch).</param>
/// <param name="Augment">Random flips and 2-pixel crops during fine-tuning, for the transferred and the scratch models alike.</param>
internal sealed record FewShotSettings(
    int[] HeldOut, int Labels, int? PretrainLimit, int PretrainEpochs, int FineTuneEpochs, IReadOnlyList<long> Seeds, string DataDirectory,
    string Model, IReadOnlyList<string> Modes, IReadOnlyList<double> ScratchRates, bool Augment);

/// <summary>Test accuracies on the 2 held-out classes of one seed's draw: per transfer mode and per scratch learning rate.</summary>
internal sealed record FewShotDraw(long Seed, IReadOnlyDictionary<string, double> Transferred, IReadOnlyDictionary<double, double> Scratch);

/// <summary>The pretrained model's accuracy on its 8 classes, every draw, and the figure: the first mode's mean − the best scratch rate's mean.</summary>
internal sealed record FewShotOutcome(double Pretrained, IReadOnlyList<FewShotDraw> Draws, WeightTransferReport Report, long HeldOutTestImages)
{
    /// <summary>The scratch learning rate with the best mean test accuracy over the draws.</summary>
    public double BestScratchRate => Draws[0].Scratch.Keys.MaxBy(rate => Draws.Average(d => d.Scratch[rate]));
    public double Transferred(string mode) => Draws.Average(d => d.Transferred[mode]);
    public double Scratch => Draws.Average(d => d.Scratch[BestScratchRate]);
    /// <summary>Per-draw gain of <paramref name="mode"/> over the best scratch rate, in points.</summary>
    public IReadOnlyList<double> Gains(string mode) => [.. Draws.Select(d => (d.Transferred[mode] - d.Scratch[BestScratchRate]) * 100)];
}

/// <summary>
/// Transfer learning with few labels on Fashion-MNIST: a zoo CNN is pretrained on 8 classes; for each seed a new model
/// with a 2-class head takes its weights where name and shape fit (<see cref="WeightTransfer.Load"/>: every layer but
/// the 8-class head) and is fine-tuned on a fresh draw of a few labels of the 2 held-out classes; the same architecture
/// trained from scratch on the same labels, for the same epochs with each of a few learning rates, is the reference.
/// Shared by samples/TransferLearning and the compression benchmark.
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
            var seed = settings.Seeds[0];
            using var pretrainSet = Subset(train, kept, settings.PretrainLimit, seed);
            using var pretrainTest = Subset(test, kept, null, seed);
            using var heldOutTrain = Subset(train, settings.HeldOut, null, seed);
            using var heldOutTest = Subset(test, settings.HeldOut, null, seed);
            var bn = settings.Model == "bn-cnn";
            var recipe = new ImageClassifierRecipe { Epochs = settings.PretrainEpochs };
            if (bn) // the pretraining images' mean and deviation, for every set (no statistic of the held-out classes)
                ImageClassifierRecipe.Standardize(pretrainSet, pretrainTest, heldOutTrain, heldOutTest);
            log($"Pretraining a {settings.Model} on {pretrainSet.Count:N0} images of {string.Join(", ", kept.Select(c => FashionMnist.ClassNames[c]))} for {settings.PretrainEpochs} epoch(s); " +
                $"then {settings.Labels} labels of {string.Join(" and ", settings.HeldOut.Select(c => FashionMnist.ClassNames[c]))} per seed, tested on {heldOutTest.Count:N0} images.");

            random.manual_seed(seed);
            using var pretrained = Create(settings, train.SampleShape, kept.Length);
            if (bn)
            {
                recipe.Compile(pretrained);
                pretrained.Fit(pretrainSet, recipe.FitOptions(seed) with { Progress = ProgressMode.Silent });
            }
            else
            {
                pretrained.Compile(OptimizerOptions.Adam(), Loss.CrossEntropy(), ["accuracy"]);
                pretrained.Fit(pretrainSet, new FitOptions { Epochs = settings.PretrainEpochs, BatchSize = 64, Seed = seed, Progress = ProgressMode.Silent });
            }
            var pretrainedAccuracy = pretrained.Evaluate(pretrainTest)["accuracy"];
            log($"Pretrained: {pretrainedAccuracy:P2} on the 8 classes' test images.");

            WeightTransferReport? report = null;
            var draws = new List<FewShotDraw>();
            foreach (var drawSeed in settings.Seeds)
            {
                using var fewShot = Subset(heldOutTrain, [0, 1], settings.Labels, drawSeed, balanced: true);
                var transferred = new Dictionary<string, double>();
                foreach (var mode in settings.Modes)
                {
                    random.manual_seed(drawSeed + 1);
                    using var model = Create(settings, train.SampleShape, settings.HeldOut.Length);
                    var loaded = WeightTransfer.Load(model, pretrained);
                    report ??= loaded;
                    transferred[mode] = FineTune(model, fewShot, heldOutTest, settings, drawSeed, mode, rate: 0);
                }
                var scratch = new Dictionary<double, double>();
                foreach (var rate in settings.ScratchRates)
                {
                    random.manual_seed(drawSeed + 1);
                    using var model = Create(settings, train.SampleShape, settings.HeldOut.Length);
                    scratch[rate] = FineTune(model, fewShot, heldOutTest, settings, drawSeed, "scratch", rate);
                }
                log($"Seed {drawSeed}: transferred {string.Join(", ", transferred.Select(t => $"{t.Key} {t.Value:P2}"))}; " +
                    $"scratch {string.Join(", ", scratch.Select(s => $"lr {s.Key:0.####} {s.Value:P2}"))}");
                draws.Add(new FewShotDraw(drawSeed, transferred, scratch));
            }
            return new FewShotOutcome(pretrainedAccuracy, draws, report!, heldOutTest.Count);
        }
    }

    private static Sequential Create(FewShotSettings settings, Shape shape, int classes) => settings.Model switch
    {
        "bn-cnn" => ModelZoo.BatchNormCnn(shape, classes),
        "keras-cnn" => ModelZoo.KerasCnn(shape, classes),
        var other => throw new ArgumentException($"--model expects bn-cnn or keras-cnn; received '{other}'."),
    };

    /// <summary>
    /// Adam on the few labels, batch 20: "full" trains every layer at 1e-4 and the new head at 1e-3 (the pretrained
    /// features move little); "probe" trains only the head at 1e-2; "scratch" trains every layer at <paramref name="rate"/>.
    /// </summary>
    private static double FineTune(Model model, TensorDataset train, TensorDataset test, FewShotSettings settings, long seed, string mode, double rate)
    {
        // The head is the last Dense: "dense_1." in the bn-cnn (its only Dense), "dense_2." in the Keras CNN.
        var head = settings.Model == "bn-cnn" ? "dense_1." : "dense_2.";
        bool IsHead(string name) => name.StartsWith(head, StringComparison.Ordinal);
        var (baseRate, trainable) = mode switch
        {
            "full" => (1e-4, (Func<string, bool>)(_ => true)),
            "probe" => (1e-3, IsHead),
            "scratch" => (rate, _ => true),
            var other => throw new ArgumentException($"--modes expects full or probe; received '{other}'."),
        };
        model.Compile(OptimizerOptions.Adam(baseRate), Loss.CrossEntropy(), ["accuracy"], new CompileOptions
        {
            Trainable = trainable,
            ParameterGroups = mode == "scratch" ? [] : [new ParameterGroup("head", IsHead) { LearningRateScale = 10 }],
        });
        Func<Tensor, Tensor>? augment = settings.Augment ? Augmentation.Compose(new RandomFlip(), new RandomCrop(Padding: 2)).AsFunc() : null;
        model.Fit(train, new FitOptions { Epochs = settings.FineTuneEpochs, BatchSize = 20, Seed = seed, Augment = augment, Progress = ProgressMode.Silent });
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
