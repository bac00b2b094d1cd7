using System.CommandLine;
using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Training;

namespace ModelLoop.Cli.Commands;

/// <summary><c>modelloop train</c>: a zoo model or spec file on Fashion-MNIST or a numeric CSV.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var modelOption = new Option<string>("--model", "-m") { Description = $"Zoo name ({string.Join(", ", ModelZoo.Names)}) or a .json/.yaml spec file. Defaults to keras-cnn.", DefaultValueFactory = _ => "keras-cnn" };
        var dataOption = new Option<string>("--data", "-d") { Description = "fashion-mnist (Debian's dataset-fashion-mnist), a folder of Fashion-MNIST IDX files, or a numeric .csv file. Defaults to fashion-mnist.", DefaultValueFactory = _ => "fashion-mnist" };
        var labelOption = new Option<string>("--label") { Description = "Label column of a CSV file. Defaults to 'target'.", DefaultValueFactory = _ => "target" };
        var epochsOption = new Option<int>("--epochs", "-e") { Description = "Defaults to 1.", DefaultValueFactory = _ => 1 };
        var batchOption = new Option<int>("--batch-size", "-b") { Description = "Defaults to 64.", DefaultValueFactory = _ => 64 };
        var optimizerOption = new Option<string>("--optimizer") { Description = "sgd, adam, adamw or rmsprop. Defaults to adam.", DefaultValueFactory = _ => "adam" };
        var lrOption = new Option<double?>("--lr") { Description = "Learning rate. Defaults to the optimizer's (adam 0.001, sgd 0.01)." };
        var lossOption = new Option<string>("--loss") { Description = "cross_entropy, binary_cross_entropy or mse. Defaults to cross_entropy.", DefaultValueFactory = _ => "cross_entropy" };
        var limitOption = new Option<int?>("--limit") { Description = "Use only the first N training samples (quick runs)." };
        var outOption = new Option<string>("--out", "-o") { Description = "Run folder for model.json, weights.bin, history.csv, summary.json. Defaults to runs/train.", DefaultValueFactory = _ => Path.Combine("runs", "train") };
        var checkpointOption = new Option<string?>("--checkpoint") { Description = "Checkpoint file: written every epoch; an interrupted run started again with the same file resumes." };
        var command = new Command("train", "Train a model and save it with its metrics.")
        {
            modelOption, dataOption, labelOption, epochsOption, batchOption, optimizerOption, lrOption, lossOption, limitOption, outOption, checkpointOption,
        };
        common.AddTo(command);
        var tracking = new RunsTrackingOptions();
        tracking.AddTo(command);
        command.SetAction(result =>
        {
            var device = common.Apply(result);
            var (train, test, preprocessing) = DatasetSource.LoadWithPreprocessing(result.GetValue(dataOption)!, result.GetValue(labelOption)!, result.GetValue(lossOption)!, result.GetValue(limitOption), result.GetValue(common.Seed) ?? 1);
            var model = BuildModel(result.GetValue(modelOption)!, train);
            model.To(device);
            model.Summary();
            var optimizer = OptimizerOptions.Parse(result.GetValue(optimizerOption)!);
            if (result.GetValue(lrOption) is { } lr)
                optimizer = optimizer with { LearningRate = lr };
            var lossName = result.GetValue(lossOption)!;
            var loss = Loss.Parse(lossName);
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
            var outcome = TrainingRun.Execute(model, train, test, test, fit, result.GetValue(outOption)!, tracking: track);
            preprocessing?.Save(outcome.OutputDirectory); // serving.json: `modelloop serve` standardizes raw rows with it
            TrainingRun.PrintResult(outcome);
            return 0;
        });
        return command;
    }

    private static Model BuildModel(string name, TensorDataset train)
    {
        if (File.Exists(name) || name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            return Model.FromSpec(ModelSpec.Load(name));
        var classes = (int)train.LabelRange().Max + 1;
        return ModelZoo.Create(name, train.SampleShape, Math.Max(classes, 2));
    }
}
