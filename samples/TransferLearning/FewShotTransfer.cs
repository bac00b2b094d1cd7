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
/// <param name="Modes">
/// Fine-tuning modes of the transferred model: "full" (every layer at each of <paramref name="TransferRates"/>, the new head
/// at 10×), "probe" (only the new head, at 1e-2), "lpft" (a probe for the first third of the epochs, then every layer at each
/// transfer rate, head included: Kumar et al. 2022).
/// </param>
/// <param name="ScratchRates">Adam learning rates tried for the model trained from scratch.</param>
/// <param name="Augment">Random flips and 2-pixel crops during fine-tuning, for the transferred and the scratch models alike.</param>
/// <param name="TransferRates">Adam learning rates of the "full" and "lpft" modes.</param>
/// <param name="ValidationImages">
/// Further labelled images of the held-out classes (half per class, disjoint from every draw's labels, never trained on)
/// on which each side — transferred and scratch alike — picks its recipe by mean accuracy over the draws; the test
/// images only measure the two picks.
/// </param>
/// <param name="PretrainLabelSmoothing">Label smoothing of the pretraining (bn-cnn); 0 keeps more of what the features
/// know about the classes they were not trained to separate (Kornblith et al. 2021), the recipe's own is 0.1.</param>
internal sealed record FewShotSettings(
    int[] HeldOut, int Labels, int? PretrainLimit, int PretrainEpochs, int FineTuneEpochs, IReadOnlyList<long> Seeds, string DataDirectory,
    string Model, IReadOnlyList<string> Modes, IReadOnlyList<double> ScratchRates, bool Augment,
    IReadOnlyList<double> TransferRates, int ValidationImages = 1_000, double PretrainLabelSmoothing = 0);

/// <summary>One recipe's validation and test accuracy on the 2 held-out classes.</summary>
internal readonly record struct FewShotScore(double Validation, double Test);

/// <summary>One seed's draw: every transfer recipe ("full 0.0001", "probe 0.01", …) and scratch recipe ("scratch 0.001") scored.</summary>
internal sealed record FewShotDraw(long Seed, IReadOnlyDictionary<string, FewShotScore> Transferred, IReadOnlyDictionary<string, FewShotScore> Scratch);

/// <summary>The pretrained model's accuracy on its 8 classes, every draw, and the figure: the picked transfer recipe's mean − the picked scratch recipe's mean.</summary>
internal sealed record FewShotOutcome(double Pretrained, IReadOnlyList<FewShotDraw> Draws, WeightTransferReport Report, long HeldOutTestImages)
{
    /// <summary>The transfer recipe with the best mean validation accuracy over the draws.</summary>
    public string BestTransfer => Best(d => d.Transferred);
    /// <summary>The scratch recipe with the best mean validation accuracy over the draws.</summary>
    public string BestScratch => Best(d => d.Scratch);
    /// <summary>Mean test accuracy of a transfer recipe (default: the picked one).</summary>
    public double Transferred(string? recipe = null) => Draws.Average(d => d.Transferred[recipe ?? BestTransfer].Test);
    public double Scratch => Draws.Average(d => d.Scratch[BestScratch].Test);
    /// <summary>Per-draw gain of the picked transfer recipe over the picked scratch recipe on the test images, in points.</summary>
    public IReadOnlyList<double> Gains => [.. Draws.Select(d => (d.Transferred[BestTransfer].Test - d.Scratch[BestScratch].Test) * 100)];

    private string Best(Func<FewShotDraw, IReadOnlyDictionary<string, FewShotScore>> side) =>
        side(Draws[0]).Keys.MaxBy(recipe => Draws.Average(d => side(d)[recipe].Validation))!;
}

/// <summary>
/// Transfer learning with few labels on Fashion-MNIST: a zoo CNN is pretrained on 8 classes; for each seed a new model
/// with a 2-class head takes its weights where name and shape fit (<see cref="WeightTransfer.Load"/>: every layer but
/// the 8-class head) and is fine-tuned on a fresh draw of a few labels of the 2 held-out classes; the same architecture
/// trained from scratch on the same labels, for the same epochs, is the reference. Each side tries a few recipes and
/// keeps the one with the best mean accuracy on a validation set of further images of the 2 classes (never trained on),
/// so neither side's recipe is picked on the test images. Shared by samples/TransferLearning and the compression benchmark.
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
            using var heldOutAll = Subset(train, settings.HeldOut, null, seed);
            // A fixed validation set (the same for every draw and both sides); the labels are drawn from the rest.
            var split = Split(heldOutAll, settings.ValidationImages);
            using var validation = split.First;
            using var heldOutTrain = split.Others;
            using var heldOutTest = Subset(test, settings.HeldOut, null, seed);
            var bn = settings.Model == "bn-cnn";
            var recipe = new ImageClassifierRecipe { Epochs = settings.PretrainEpochs, LabelSmoothing = settings.PretrainLabelSmoothing };
            if (bn) // the pretraining images' mean and deviation, for every set (no statistic of the held-out classes)
                ImageClassifierRecipe.Standardize(pretrainSet, pretrainTest, heldOutTrain, validation, heldOutTest);
            log($"Pretraining a {settings.Model} on {pretrainSet.Count:N0} images of {string.Join(", ", kept.Select(c => FashionMnist.ClassNames[c]))} for {settings.PretrainEpochs} epoch(s); " +
                $"then {settings.Labels} labels of {string.Join(" and ", settings.HeldOut.Select(c => FashionMnist.ClassNames[c]))} per seed, recipes picked on {validation.Count:N0} validation images, tested on {heldOutTest.Count:N0} images.");

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
                FewShotScore Score(Model model) => new(model.Evaluate(validation)["accuracy"], model.Evaluate(heldOutTest)["accuracy"]);
                var transferred = new Dictionary<string, FewShotScore>();
                foreach (var (mode, rate) in settings.Modes.SelectMany(m => m == "probe" ? new[] { (m, 1e-2) } : settings.TransferRates.Select(r => (m, r))))
                {
                    random.manual_seed(drawSeed + 1);
                    using var model = Create(settings, train.SampleShape, settings.HeldOut.Length);
                    var loaded = WeightTransfer.Load(model, pretrained);
                    report ??= loaded;
                    FineTune(model, fewShot, settings, drawSeed, mode, rate);
                    transferred[Key(mode, rate)] = Score(model);
                }
                var scratch = new Dictionary<string, FewShotScore>();
                foreach (var rate in settings.ScratchRates)
                {
                    random.manual_seed(drawSeed + 1);
                    using var model = Create(settings, train.SampleShape, settings.HeldOut.Length);
                    FineTune(model, fewShot, settings, drawSeed, "scratch", rate);
                    scratch[Key("scratch", rate)] = Score(model);
                }
                log($"Seed {drawSeed} (validation/test): {string.Join("; ", transferred.Concat(scratch).Select(t => $"{t.Key} {t.Value.Validation:P1}/{t.Value.Test:P2}"))}");
                draws.Add(new FewShotDraw(drawSeed, transferred, scratch));
            }
            return new FewShotOutcome(pretrainedAccuracy, draws, report!, heldOutTest.Count);
        }
    }

    private static string Key(string mode, double rate) => $"{mode} {rate.ToString("0.#####", System.Globalization.CultureInfo.InvariantCulture)}";

    private static Sequential Create(FewShotSettings settings, Shape shape, int classes) => settings.Model switch
    {
        "bn-cnn" => ModelZoo.BatchNormCnn(shape, classes),
        "keras-cnn" => ModelZoo.KerasCnn(shape, classes),
        var other => throw new ArgumentException($"--model expects bn-cnn or keras-cnn; received '{other}'."),
    };

    /// <summary>
    /// Adam on the few labels, batch 20, <see cref="FewShotSettings.FineTuneEpochs"/> epochs in all: "full" trains every
    /// layer at <paramref name="rate"/> and the new head at 10× (the pretrained features move little); "probe" trains only
    /// the head at <paramref name="rate"/>; "lpft" probes the head at 1e-2 for the first third of the epochs, then trains
    /// every layer at <paramref name="rate"/> from that head (a trained head does not tear the features apart with
    /// large early gradients: Kumar et al. 2022); "scratch" trains every layer at <paramref name="rate"/>.
    /// </summary>
    private static void FineTune(Model model, TensorDataset train, FewShotSettings settings, long seed, string mode, double rate)
    {
        // The head is the last Dense: "dense_1." in the bn-cnn (its only Dense), "dense_2." in the Keras CNN.
        var head = settings.Model == "bn-cnn" ? "dense_1." : "dense_2.";
        bool IsHead(string name) => name.StartsWith(head, StringComparison.Ordinal);
        Func<Tensor, Tensor>? augment = settings.Augment ? Augmentation.Compose(new RandomFlip(), new RandomCrop(Padding: 2)).AsFunc() : null;
        void Fit(double learningRate, Func<string, bool> trainable, IReadOnlyList<ParameterGroup> groups, int epochs)
        {
            model.Compile(OptimizerOptions.Adam(learningRate), Loss.CrossEntropy(), ["accuracy"], new CompileOptions { Trainable = trainable, ParameterGroups = groups });
            model.Fit(train, new FitOptions { Epochs = epochs, BatchSize = 20, Seed = seed, Augment = augment, Progress = ProgressMode.Silent });
        }
        var epochs = settings.FineTuneEpochs;
        switch (mode)
        {
            case "full":
                Fit(rate, _ => true, [new ParameterGroup("head", IsHead) { LearningRateScale = 10 }], epochs);
                break;
            case "probe":
                Fit(rate, IsHead, [], epochs);
                break;
            case "lpft":
                var probeEpochs = Math.Max(1, epochs / 3);
                Fit(1e-2, IsHead, [], probeEpochs);
                Fit(rate, _ => true, [], Math.Max(1, epochs - probeEpochs));
                break;
            case "scratch":
                Fit(rate, _ => true, [], epochs);
                break;
            default:
                throw new ArgumentException($"--modes expects full, probe or lpft; received '{mode}'.");
        }
    }

    /// <summary>
    /// The first <paramref name="count"/> rows of a seeded shuffle (balanced: half per class of a 2-class set) and the
    /// rest; the split's seed is fixed so every run validates on the same images.
    /// </summary>
    private static (TensorDataset First, TensorDataset Others) Split(TensorDataset data, int count)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(12_345);
        var labels = data.Labels;
        var first = new List<Tensor>();
        var rest = new List<Tensor>();
        for (var c = 0; c < 2; c++)
        {
            var rows = labels.eq(c).nonzero().flatten();
            rows = rows.index_select(0, randperm(rows.shape[0], generator: generator));
            first.Add(rows[..(count / 2)]);
            rest.Add(rows[(count / 2)..]);
        }
        TensorDataset Take(List<Tensor> parts)
        {
            var index = cat(parts.ToArray());
            return new TensorDataset(data.Features.index_select(0, index).MoveToOuterDisposeScope(), labels.index_select(0, index).MoveToOuterDisposeScope());
        }
        return (Take(first), Take(rest));
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
