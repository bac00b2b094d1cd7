using System.CommandLine;
using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Training;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop train</c>: a zoo model or spec file on Fashion-MNIST or a CSV file. A CSV is read by the data stage
/// (schema inference: numeric, categorical, text, dates, missing values), split with a seed (stratified for classes),
/// and turned into tensors by a pipeline fitted on the training rows only; the artifact carries that pipeline, the
/// dataset manifest hash and the split, so `eval` and the server apply exactly what training applied.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var modelOption = new Option<string>("--model", "-m") { Description = $"Zoo name ({string.Join(", ", ModelZoo.Names)}) or a .json/.yaml spec file. Defaults to keras-cnn.", DefaultValueFactory = _ => "keras-cnn" };
        var dataOption = new Option<string>("--data", "-d") { Description = "fashion-mnist (Debian's dataset-fashion-mnist), a folder of Fashion-MNIST IDX files, or a .csv file (numeric, categorical and text columns; missing values imputed). Defaults to fashion-mnist.", DefaultValueFactory = _ => "fashion-mnist" };
        var labelOption = new Option<string>("--label") { Description = "Label column of a CSV file. Defaults to 'target'.", DefaultValueFactory = _ => "target" };
        var epochsOption = new Option<int>("--epochs", "-e") { Description = "Defaults to 1.", DefaultValueFactory = _ => 1 };
        var batchOption = new Option<int>("--batch-size", "-b") { Description = "Defaults to 64.", DefaultValueFactory = _ => 64 };
        var optimizerOption = new Option<string>("--optimizer") { Description = "sgd, adam, adamw or rmsprop. Defaults to adam.", DefaultValueFactory = _ => "adam" };
        var lrOption = new Option<double?>("--lr") { Description = "Learning rate. Defaults to the optimizer's (adam 0.001, sgd 0.01)." };
        var lossOption = new Option<string>("--loss") { Description = "cross_entropy, binary_cross_entropy or mse. Defaults to cross_entropy.", DefaultValueFactory = _ => "cross_entropy" };
        var limitOption = new Option<int?>("--limit") { Description = "Use only the first N training samples (quick runs)." };
        var outOption = new Option<string>("--out", "-o") { Description = "Run folder for model.json, weights.bin, history.csv, summary.json. Defaults to runs/train.", DefaultValueFactory = _ => Path.Combine("runs", "train") };
        var checkpointOption = new Option<string?>("--checkpoint") { Description = "Checkpoint file: written every epoch; an interrupted run started again with the same file resumes." };
        var testOption = new Option<double>("--test-fraction") { Description = $"Share of a CSV file's labelled rows held out for testing (stratified by class for classification). Defaults to {TabularData.DefaultTestFraction}.", DefaultValueFactory = _ => TabularData.DefaultTestFraction };
        var splitSeedOption = new Option<int?>("--split-seed") { Description = "Seed of a CSV file's train/test split (recorded in the artifact, so `eval` rebuilds the same test rows). Defaults to --seed, else 1." };
        var command = new Command("train", "Train a model and save it with its metrics, preprocessing pipeline and dataset version.")
        {
            modelOption, dataOption, labelOption, epochsOption, batchOption, optimizerOption, lrOption, lossOption, limitOption, outOption, checkpointOption, testOption, splitSeedOption,
        };
        common.AddTo(command);
        var tracking = new RunsTrackingOptions();
        tracking.AddTo(command);
        command.SetAction(result =>
        {
            var device = common.Apply(result);
            var lossName = result.GetValue(lossOption)!;
            var loss = Loss.Parse(lossName);
            var splitSeed = result.GetValue(splitSeedOption) ?? (int)(result.GetValue(common.Seed) ?? 1);
            using var data = DatasetSource.Load(result.GetValue(dataOption)!, result.GetValue(labelOption)!, loss == Loss.MeanSquaredError(),
                result.GetValue(limitOption), result.GetValue(testOption), splitSeed);
            var model = BuildModel(result.GetValue(modelOption)!, data);
            model.To(device);
            model.Summary();
            var optimizer = OptimizerOptions.Parse(result.GetValue(optimizerOption)!);
            if (result.GetValue(lrOption) is { } lr)
                optimizer = optimizer with { LearningRate = lr };
            model.Compile(optimizer, loss, loss == Loss.MeanSquaredError() ? ["mae"] : ["accuracy"]);
            var fit = new FitOptions
            {
                Epochs = result.GetValue(epochsOption),
                BatchSize = result.GetValue(batchOption),
                Seed = result.GetValue(common.Seed),
                Precision = result.GetValue(common.Precision) ?? Precision.Float32,
                CheckpointPath = result.GetValue(checkpointOption),
            };
            var modelName = result.GetValue(modelOption)!;
            var track = tracking.Read(result, Path.GetFileNameWithoutExtension(modelName), new Dictionary<string, string>
            {
                ["command"] = "train", ["model"] = modelName, ["data"] = result.GetValue(dataOption)!, ["limit"] = result.GetValue(limitOption)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all",
            });
            var outcome = TrainingRun.Execute(model, data, validateOnTest: true, fit, result.GetValue(outOption)!, tracking: track);
            TrainingRun.PrintResult(outcome);
            return 0;
        });
        return command;
    }

    private static Model BuildModel(string name, LoadedData data)
    {
        if (File.Exists(name) || name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            return Model.FromSpec(ModelSpec.Load(name));
        // A CSV's classes are the pipeline's (all seen in training); images: the largest label + 1.
        var classes = data.Tabular?.Pipeline.Label is { Kind: LabelKind.ClassIndex } label ? label.Classes.Count : (int)data.Train.LabelRange().Max + 1;
        return ModelZoo.Create(name, data.Train.SampleShape, Math.Max(classes, 2));
    }
}
