using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using ModelLoop.Loop;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Privacy.Sgd;
using ModelLoop.Training;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop train</c>: builds a <see cref="TrainingConfig"/> — from <c>--config FILE</c>, with any option given on the
/// command line overriding the file — and runs it as a <see cref="TrainingJob"/>; prints the result.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var defaults = new TrainingConfig();
        var common = new CommonOptions();
        var configOption = new Option<string?>("--config", "-c") { Description = "A training config (.yaml/.json): model, data, optimizer, loss, schedule, epochs… Options given here override it. The run folder keeps the config it ran (config.json)." };
        var modelOption = new Option<string?>("--model", "-m") { Description = $"Zoo name ({string.Join(", ", ModelZoo.Names)}) or a .json/.yaml spec file. Defaults to {defaults.Model.Zoo}." };
        var dataOption = new Option<string?>("--data", "-d") { Description = $"fashion-mnist (Debian's dataset-fashion-mnist), a folder of MNIST-family IDX files, a folder from `modelloop data prepare`, or a .csv/.tsv file. Defaults to {defaults.Data.Source}." };
        var labelOption = new Option<string?>("--label") { Description = $"Label column of a table. Defaults to '{defaults.Data.Label}'." };
        var epochsOption = new Option<int?>("--epochs", "-e") { Description = $"Defaults to {defaults.Epochs}." };
        var batchOption = new Option<int?>("--batch-size", "-b") { Description = $"Defaults to {defaults.BatchSize}." };
        var optimizerOption = new Option<string?>("--optimizer") { Description = $"sgd, adam, adamw or rmsprop. Defaults to {defaults.Optimizer.Name}." };
        var lrOption = new Option<double?>("--lr") { Description = "Learning rate. Defaults to the optimizer's (adam 0.001, sgd 0.01)." };
        var lossOption = new Option<string?>("--loss") { Description = $"cross_entropy, binary_cross_entropy or mse (mse trains a regressor). Defaults to {defaults.Loss}." };
        var limitOption = new Option<int?>("--limit") { Description = "Use only the first N training samples (quick runs)." };
        var outOption = new Option<string>("--out", "-o") { Description = "Run folder: config.json, history.csv, summary.json, dataset.json and the model package artifact/. Defaults to runs/train.", DefaultValueFactory = _ => Path.Combine("runs", "train") };
        var checkpointOption = new Option<string?>("--checkpoint") { Description = "Checkpoint file: written every epoch; an interrupted run started again with the same file resumes." };
        var validationOption = new Option<double?>("--validation-fraction") { Description = $"Share held out for validation every epoch (of a table's rows, or of the training images). Defaults to {defaults.Data.Validation.ToString(CultureInfo.InvariantCulture)}." };
        var testOption = new Option<double?>("--test-fraction") { Description = $"Share of a table's labelled rows held out for the final test (stratified for classification). Defaults to {defaults.Data.Test.ToString(CultureInfo.InvariantCulture)}." };
        var splitSeedOption = new Option<int?>("--split-seed") { Description = "Seed of the train/validation/test split (recorded in the package, so `eval` rebuilds the same test rows). Defaults to --seed, else 1." };
        var dpEpsilonOption = new Option<double?>("--dp-epsilon") { Description = "Train with differential privacy (DP-SGD, RDP accountant) to this ε over the run; the noise is calibrated to it. Defaults to the config's privacy section, else not private." };
        var dpDeltaOption = new Option<double?>("--dp-delta") { Description = "δ of the DP guarantee; must be below 1/N. Defaults to 1e-5." };
        var maxGradNormOption = new Option<double?>("--max-grad-norm") { Description = "DP-SGD per-sample gradient clipping norm C. Defaults to 1.0." };
        var dpNoiseOption = new Option<double?>("--dp-noise-multiplier") { Description = "DP-SGD noise multiplier σ instead of calibrating it from --dp-epsilon (ε is then only reported)." };
        var command = new Command("train", "Train a model from a config or options; save it as a model package with its metrics, preprocessing, dataset version and config.")
        {
            configOption, modelOption, dataOption, labelOption, epochsOption, batchOption, optimizerOption, lrOption, lossOption, limitOption, outOption, checkpointOption,
            validationOption, testOption, splitSeedOption, dpEpsilonOption, dpDeltaOption, maxGradNormOption, dpNoiseOption,
        };
        common.AddTo(command);
        var tracking = new RunsTrackingOptions();
        tracking.AddTo(command);
        command.SetAction(result =>
        {
            var config = result.GetValue(configOption) is { } file ? TrainingConfig.Load(file) : defaults;
            if (result.GetValue(modelOption) is { } model)
                config = config with { Model = ModelChoice(model) };
            var data = config.Data;
            data = data with
            {
                Source = result.GetValue(dataOption) ?? data.Source,
                Label = result.GetValue(labelOption) ?? data.Label,
                Limit = result.GetValue(limitOption) ?? data.Limit,
                Validation = result.GetValue(validationOption) ?? data.Validation,
                Test = result.GetValue(testOption) ?? data.Test,
                SplitSeed = result.GetValue(splitSeedOption) ?? (result.GetValue(configOption) is null && result.GetValue(common.Seed) is { } seed ? (int)seed : data.SplitSeed),
            };
            config = config with
            {
                Data = data,
                Epochs = result.GetValue(epochsOption) ?? config.Epochs,
                BatchSize = result.GetValue(batchOption) ?? config.BatchSize,
                Loss = result.GetValue(lossOption) ?? config.Loss,
                Precision = result.GetValue(common.Precision) ?? config.Precision,
                Seed = result.GetValue(common.Seed) ?? config.Seed,
                Optimizer = config.Optimizer with
                {
                    Name = result.GetValue(optimizerOption) ?? config.Optimizer.Name,
                    LearningRate = result.GetValue(lrOption) ?? (result.GetValue(optimizerOption) is null ? config.Optimizer.LearningRate : null),
                },
            };
            if (result.GetValue(dpEpsilonOption) is not null || result.GetValue(dpDeltaOption) is not null || result.GetValue(maxGradNormOption) is not null || result.GetValue(dpNoiseOption) is not null)
            {
                var privacy = config.Privacy ?? new PrivacyConfig();
                config = config with
                {
                    Privacy = privacy with
                    {
                        Epsilon = result.GetValue(dpEpsilonOption) ?? privacy.Epsilon,
                        Delta = result.GetValue(dpDeltaOption) ?? privacy.Delta,
                        MaxGradNorm = result.GetValue(maxGradNormOption) ?? privacy.MaxGradNorm,
                        NoiseMultiplier = result.GetValue(dpNoiseOption) ?? privacy.NoiseMultiplier,
                    },
                };
            }
            config.Validate();
            var device = common.Apply(result);
            if (DataSource.ResolveSource(config.Data.Source) == ModelLoop.Data.FashionMnist.DefaultDirectory)
                FashionMnistInstaller.Ensure(ModelLoop.Data.FashionMnist.DefaultDirectory);
            var options = tracking.Apply(result, new TrainingJobOptions
            {
                OutputDirectory = result.GetValue(outOption)!,
                CheckpointPath = result.GetValue(checkpointOption),
                Device = device,
                RunName = config.Model.Zoo ?? (result.GetValue(modelOption) is { } spec ? Path.GetFileNameWithoutExtension(spec) : "spec"),
                Parameters = new Dictionary<string, string> { ["command"] = "train" },
                Log = text => Console.Out.WriteLine(text),
            });
            var outcome = PrivateTraining.Run(config, options);
            Print(outcome);
            return 0;
        });
        return command;
    }

    /// <summary>A zoo name, or a spec file read into the config (so the run's config.json holds the layers).</summary>
    private static ModelConfig ModelChoice(string name)
    {
        if (File.Exists(name) || name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            return new ModelConfig { Zoo = null, Spec = JsonNode.Parse(ModelSpec.Load(name).ToJson()) };
        return new ModelConfig { Zoo = name };
    }

    private static void Print(TrainingResult outcome)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Result").AddColumn(new TableColumn("Value").RightAligned());
        foreach (var (key, value) in outcome.Test)
            table.AddRow($"test {key}", value.ToString(key.Contains("acc", StringComparison.Ordinal) ? "P2" : "F4", CultureInfo.InvariantCulture));
        table.AddRow("epochs", outcome.History.Epochs.Count.ToString(CultureInfo.InvariantCulture));
        table.AddRow("training time", FormattableString.Invariant($"{outcome.Seconds:F1} s"));
        table.AddRow("seed", outcome.History.Seed.ToString(CultureInfo.InvariantCulture));
        table.AddRow("saved to", Markup.Escape(Path.GetFullPath(outcome.RunDirectory)));
        table.AddRow("dataset version", Markup.Escape(outcome.DatasetHash[..12]));
        table.AddRow("config", Markup.Escape(outcome.Config.Hash[..12]));
        if (outcome.RunId is not null)
            table.AddRow("run", Markup.Escape(outcome.RunId));
        if (outcome.Registered is { } version)
            table.AddRow("registered", Markup.Escape($"{version.Name} v{version.Version}" + (version.Aliases.Count > 0 ? $" ({string.Join(", ", version.Aliases)})" : "")));
        AnsiConsole.Write(table);
    }
}
