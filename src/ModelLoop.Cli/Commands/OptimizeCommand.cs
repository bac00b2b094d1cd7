using System.CommandLine;
using System.Globalization;
using ModelLoop.Native;
using ModelLoop.Optimization.Pipeline;
using ModelLoop.Optimization.Reports;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop optimize MODEL --prune 0.9 | --prune-channels 0.5 | --quantize int8 | --distill-into spec.yaml</c>: makes
/// each variant asked for as a new package with lineage to MODEL (<see cref="OptimizationJob"/>), measures them all
/// beside MODEL on its test rows and writes the report (table, HTML, Pareto plot); <c>--register NAME</c> registers every
/// variant so it can be served.
/// </summary>
internal static class OptimizeCommand
{
    public static Command Create()
    {
        var modelArgument = new Argument<string>("MODEL") { Description = "A run folder, an artifact folder or .zip, or a registry model NAME[:VERSION|ALIAS] (with --home)." };
        var pruneOption = new Option<double?>("--prune") { Description = "Unstructured global magnitude pruning to this sparsity in (0, 1), e.g. 0.9, with masks kept through fine-tuning. Defaults to none." };
        var channelsOption = new Option<double?>("--prune-channels") { Description = "Structured pruning: remove this fraction in (0, 1) of each Conv2D's channels and hidden Dense neurons (lowest L1 norm) into a smaller, faster model, then fine-tune. Defaults to none." };
        var quantizeOption = new Option<string?>("--quantize") { Description = "int8: per-channel int8 weights (static with calibration for convolutions, dynamic otherwise), run by ONNX Runtime. Defaults to none." };
        var distillOption = new Option<string?>("--distill-into") { Description = "A student layer spec (.yaml/.json) or training config to distil MODEL into (see --temperature, --alpha). Defaults to none." };
        var teacherOption = new Option<string[]>("--teacher")
        {
            Description = "A further teacher for --distill-into (repeatable): the student learns the mean softened prediction of MODEL and every --teacher, an ensemble measured in the report too. Each must predict MODEL's classes from the same data. Defaults to none.",
            Arity = ArgumentArity.OneOrMore,
        };
        var epochsOption = new Option<int>("--epochs") { Description = "Fine-tuning epochs after pruning. Defaults to 2.", DefaultValueFactory = _ => 2 };
        var distillEpochsOption = new Option<int?>("--distill-epochs") { Description = "Training epochs of the student. Defaults to MODEL's own training epochs." };
        var temperatureOption = new Option<double>("--temperature") { Description = "Distillation temperature T > 0 (softens teacher and student alike). Defaults to 4.", DefaultValueFactory = _ => 4 };
        var alphaOption = new Option<double?>("--alpha") { Description = "Weight α in [0, 1] of the teacher's soft targets against the labels (0: labels only); with --method decoupled, of the target-class term. Defaults to 0.7 (decoupled: 1)." };
        var methodOption = new Option<string>("--method") { Description = "hinton (KL over all classes) or decoupled (Zhao et al. 2022: target and non-target terms weighted apart, see --beta). Defaults to hinton.", DefaultValueFactory = _ => "hinton" };
        var betaOption = new Option<double>("--beta") { Description = "With --method decoupled: weight β ≥ 0 of the non-target classes' term. Defaults to 8.", DefaultValueFactory = _ => 8 };
        var registerOption = new Option<string?>("--register") { Description = "Register every variant as a new version of NAME (tags: optimization, parent, runtime; no alias moves). Defaults to none." };
        var outOption = new Option<string>("--out", "-o") { Description = "Folder for the variants' runs and packages and report/ (report.html, report.md, report.json, pareto.png). Defaults to runs/optimize.", DefaultValueFactory = _ => Path.Combine("runs", "optimize") };
        var roundsOption = new Option<int>("--rounds") { Description = "Interleaved timing rounds (each times every variant once). Defaults to 3.", DefaultValueFactory = _ => 3 };
        var threadsOption = new Option<int?>("--threads") { Description = "CPU threads for libtorch and ONNX Runtime alike. Defaults to the cores available." };
        var seedOption = new Option<long>("--seed") { Description = "Seeds fine-tuning, the student and calibration. Defaults to 1.", DefaultValueFactory = _ => 1 };
        var homeOption = RunsTrackingOptions.HomeOption();
        var command = new Command("optimize", "Prune, quantize or distil a trained model into new packages, and compare size, latency, throughput and accuracy in a report.")
        {
            modelArgument, pruneOption, channelsOption, quantizeOption, distillOption, teacherOption, epochsOption, distillEpochsOption, temperatureOption, alphaOption, methodOption, betaOption, registerOption, outOption, roundsOption, threadsOption, seedOption, homeOption,
        };
        command.SetAction(result =>
        {
            var quantize = result.GetValue(quantizeOption);
            if (quantize is not null && !string.Equals(quantize.Trim(), "int8", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"--quantize '{quantize}' is not supported; the only quantization is int8.");
            var request = new OptimizationRequest
            {
                Model = result.GetValue(modelArgument)!,
                Home = result.GetValue(homeOption),
                OutputDirectory = result.GetValue(outOption)!,
                Prune = result.GetValue(pruneOption),
                PruneChannels = result.GetValue(channelsOption),
                QuantizeInt8 = quantize is not null,
                DistillInto = result.GetValue(distillOption),
                AdditionalTeachers = result.GetValue(teacherOption) ?? [],
                FineTuneEpochs = result.GetValue(epochsOption),
                DistillEpochs = result.GetValue(distillEpochsOption),
                Distillation = Knobs(result.GetValue(methodOption)!, result.GetValue(temperatureOption), result.GetValue(alphaOption), result.GetValue(betaOption)),
                Register = result.GetValue(registerOption),
                Seed = result.GetValue(seedOption),
                Benchmark = new VariantBenchmarkOptions { Rounds = result.GetValue(roundsOption) },
            }.Validate(); // before libtorch loads: a typo costs nothing
            TorchRuntime.EnsureLoaded();
            TorchRuntime.Threads = result.GetValue(threadsOption) ?? Environment.ProcessorCount;
            var outcome = OptimizationJob.Run(request, step => AnsiConsole.MarkupLine($"[grey]•[/] {Markup.Escape(step)}"));
            Print(outcome);
            return 0;
        });
        return command;
    }

    private static Optimization.Distillation.DistillationOptions Knobs(string method, double temperature, double? alpha, double beta)
    {
        var parsed = method.Trim().ToLowerInvariant() switch
        {
            "hinton" => Optimization.Distillation.DistillationMethod.Hinton,
            "decoupled" => Optimization.Distillation.DistillationMethod.Decoupled,
            _ => throw new ArgumentException($"--method '{method}' is not a distillation method; use hinton or decoupled."),
        };
        var defaultAlpha = parsed == Optimization.Distillation.DistillationMethod.Decoupled ? 1 : 0.7;
        return new() { Method = parsed, Temperature = temperature, Alpha = alpha ?? defaultAlpha, Beta = beta };
    }

    private static void Print(OptimizationOutcome outcome)
    {
        var report = outcome.Report;
        var baseline = report.Variants[0];
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Variant").AddColumn("Runtime").AddColumn(new TableColumn("Size").RightAligned())
            .AddColumn(new TableColumn("Batch-1 ms").RightAligned()).AddColumn(new TableColumn("Items/s").RightAligned())
            .AddColumn(new TableColumn("Accuracy").RightAligned()).AddColumn("vs the model");
        foreach (var v in report.Variants)
        {
            table.AddRow(
                Markup.Escape((v.OnParetoFront ? "★ " : "") + v.Name),
                v.Runtime,
                v.SizeBytes is { } size ? Invariant($"{size / 1024.0:N0} KiB") + (v.SizeBytes != baseline.SizeBytes && baseline.SizeBytes is { } b ? Invariant($" (×{(double)b / size:0.0} smaller)") : "") : "–",
                Invariant($"{v.Batch1LatencyMs:0.###}") + (ReferenceEquals(v, baseline) ? "" : Invariant($" (×{baseline.Batch1LatencyMs / v.Batch1LatencyMs:0.00})")),
                Invariant($"{v.ThroughputPerSecond:N0}") + (ReferenceEquals(v, baseline) ? "" : Invariant($" (×{v.ThroughputPerSecond / baseline.ThroughputPerSecond:0.00})")),
                v.Accuracy is { } a ? Invariant($"{a:P2}") : v.MeanSquaredError is { } m ? Invariant($"mse {m:G4}") : "–",
                Markup.Escape(v.VerdictVersusBaseline is { } verdict ? Invariant($"{verdict} (p={v.PValueVersusBaseline:G3})") : "baseline"));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(Markup.Escape(Invariant($"CPU {report.Cpu}, {report.Threads} thread(s); ★ = Pareto front. Report: {outcome.Files.Html}")));
        foreach (var (name, version) in outcome.Registered)
            AnsiConsole.MarkupLine(Markup.Escape($"Registered {name} as version {version}."));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
