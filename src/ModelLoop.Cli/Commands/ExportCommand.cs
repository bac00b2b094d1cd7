using System.CommandLine;
using System.Globalization;
using ModelLoop.Artifacts;
using ModelLoop.Loop;
using ModelLoop.Optimization.Onnx;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop export MODEL --format onnx [--output FILE] [--home DIR]</c>: writes the model as an ONNX graph
/// (opset 17) and checks it against TorchSharp on a few random inputs.
/// </summary>
internal static class ExportCommand
{
    /// <summary>The formats <c>--format</c> accepts.</summary>
    public static readonly IReadOnlyList<string> Formats = ["onnx"];

    /// <summary>Random inputs of the built-in parity check.</summary>
    private const int ParitySamples = 16;

    public static Command Create()
    {
        var modelArgument = new Argument<string>("MODEL") { Description = "A run folder written by `modelloop train --out DIR`, a package folder or .zip, or a registry model NAME[:VERSION|ALIAS] (with --home; no version: production, else latest)." };
        var formatOption = new Option<string>("--format", "-f") { Description = $"Export format: {string.Join(", ", Formats)} (opset {OnnxExportOptions.SupportedOpset}, dynamic batch). Defaults to onnx.", DefaultValueFactory = _ => "onnx" };
        var outputOption = new Option<string?>("--output", "-o") { Description = "The .onnx file to write. Defaults to RUN/model.onnx for a run folder, PACKAGE.onnx beside a package folder or .zip, NAME-vN.onnx in the current folder for a registry model." };
        var homeOption = RunsTrackingOptions.HomeOption();
        var command = new Command("export", "Export a trained model to ONNX (opset 17), checked against TorchSharp on random inputs.")
        {
            modelArgument, formatOption, outputOption, homeOption,
        };
        command.SetAction(result =>
        {
            var format = result.GetValue(formatOption)!.Trim().ToLowerInvariant();
            if (!Formats.Contains(format))
                throw new ArgumentException($"--format must be one of: {string.Join(", ", Formats)}; received '{result.GetValue(formatOption)}'.");
            var reference = result.GetValue(modelArgument)!;
            ResolvedModel resolved;
            try
            {
                resolved = ModelResolver.Resolve(reference, result.GetValue(homeOption));
            }
            catch (NotSupportedException e)
            {
                // An ONNX-only package (e.g. int8): it already is an ONNX graph.
                AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)} Its graph is the package's {ModelArtifact.OnnxFile} (ModelArtifact.ReadOnnx).");
                return 2;
            }
            using (resolved)
            {
                var model = resolved.Package.Model;
                if (model is Modeling.InferenceOnlyModel)
                {
                    AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape($"'{reference}' ({resolved.Description}) already runs through ONNX Runtime: it is an ONNX package whose graph is its {ModelArtifact.OnnxFile} (read it with ModelArtifact.ReadOnnx); export the fp32 model it was made from instead.")}");
                    return 2;
                }
                var output = result.GetValue(outputOption) ?? DefaultOutput(reference, resolved);
                byte[] onnx;
                try
                {
                    onnx = OnnxExporter.Export(model);
                }
                catch (NotSupportedException e)
                {
                    AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
                    return 2;
                }
                IO.AtomicFile.Write(output, stream => stream.Write(onnx));
                var difference = OnnxVerification.MaxDifference(model, onnx, ParitySamples);
                AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                    $"Wrote [bold]{Markup.Escape(Path.GetFullPath(output))}[/] ({onnx.Length:N0} bytes, ONNX opset {OnnxExportOptions.SupportedOpset}) from {Markup.Escape(resolved.Description)}."));
                AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                    $"Parity: max |ONNX Runtime − TorchSharp| = {difference:E2} on {ParitySamples} random inputs."));
                if (difference > 1e-3)
                    AnsiConsole.MarkupLine("[yellow]warning:[/] the difference is above 1e-3; compare the outputs on your own data before serving the graph.");
                return 0;
            }
        });
        return command;
    }

    // Beside the package, never inside it: a package folder holds only the files its manifest lists.
    private static string DefaultOutput(string reference, ResolvedModel resolved)
    {
        if (resolved.RegistryVersion is { } version)
            return $"{version.Name}-v{version.Version}.onnx";
        var trimmed = reference.TrimEnd('/', Path.DirectorySeparatorChar);
        if (Directory.Exists(Path.Combine(trimmed, "artifact")))
            return Path.Combine(trimmed, "model.onnx");
        return Path.ChangeExtension(trimmed, null) + ".onnx";
    }
}
