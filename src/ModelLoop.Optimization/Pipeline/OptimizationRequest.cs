using System.Globalization;
using ModelLoop.Optimization.Reports;

namespace ModelLoop.Optimization.Pipeline;

/// <summary>What `modelloop optimize` makes of one model: any of pruning, channel pruning, int8 and distillation, then the report.</summary>
public sealed record OptimizationRequest
{
    /// <summary>A run folder, package folder or .zip, or a registry reference NAME[:VERSION|ALIAS].</summary>
    public required string Model { get; init; }
    /// <summary>Run store and registry folder. Defaults to null: the ModelLoop home.</summary>
    public string? Home { get; init; }
    /// <summary>Folder for every variant's run and package and the report. Defaults to runs/optimize.</summary>
    public string OutputDirectory { get; init; } = Path.Combine("runs", "optimize");
    /// <summary>Unstructured global magnitude pruning to this sparsity in (0, 1), then fine-tuning. Defaults to null (none).</summary>
    public double? Prune { get; init; }
    /// <summary>Structured pruning of this fraction of channels/neurons in (0, 1) into a smaller dense model, then fine-tuning. Defaults to null (none).</summary>
    public double? PruneChannels { get; init; }
    /// <summary>int8 quantization through ONNX Runtime. Defaults to false.</summary>
    public bool QuantizeInt8 { get; init; }
    /// <summary>A student spec (.yaml/.json layer spec) or training config to distil the model into. Defaults to null (none).</summary>
    public string? DistillInto { get; init; }
    /// <summary>
    /// Further teachers for <see cref="DistillInto"/> (`--teacher`, repeatable): with them the student learns the mean
    /// softened prediction of an ensemble (the model and these), and the report measures that ensemble too. Each must
    /// predict the model's classes from the same preprocessed inputs. Defaults to none.
    /// </summary>
    public IReadOnlyList<string> AdditionalTeachers { get; init; } = [];
    /// <summary>Fine-tuning epochs after pruning. Defaults to 2.</summary>
    public int FineTuneEpochs { get; init; } = 2;
    /// <summary>Training epochs of a distilled student. Defaults to null: the model's own training epochs.</summary>
    public int? DistillEpochs { get; init; }
    /// <summary>
    /// Temperature and α of the distillation loss (`--temperature`, `--alpha`). Defaults to <see cref="Distillation.DistillationOptions"/>'
    /// defaults (T = 4, α = 0.7).
    /// </summary>
    public Distillation.DistillationOptions Distillation { get; init; } = new();
    /// <summary>Register every variant under this registry name (new versions, no alias moved). Defaults to null.</summary>
    public string? Register { get; init; }
    /// <summary>Seeds fine-tuning, the student and calibration. Defaults to 1.</summary>
    public long Seed { get; init; } = 1;
    /// <summary>How the variants are timed. Defaults to <see cref="VariantBenchmarkOptions"/>' defaults.</summary>
    public VariantBenchmarkOptions Benchmark { get; init; } = new();

    /// <summary>Checks every option before anything runs; the message names the option and what is allowed.</summary>
    public OptimizationRequest Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Model);
        foreach (var (value, name) in new[] { (Prune, "--prune (sparsity)"), (PruneChannels, "--prune-channels (fraction of channels)") })
            if (value is { } v && !(v is > 0 and < 1))
                throw new ArgumentException($"{name} must be in (0, 1), e.g. 0.9; received {v.ToString(CultureInfo.InvariantCulture)}.");
        if (Prune is null && PruneChannels is null && !QuantizeInt8 && DistillInto is null)
            throw new ArgumentException("Nothing to do: ask for at least one of --prune SPARSITY, --prune-channels FRACTION, --quantize int8, --distill-into SPEC.");
        if (FineTuneEpochs < 1)
            throw new ArgumentException($"--epochs (fine-tuning epochs) must be at least 1; received {FineTuneEpochs}.");
        if (DistillEpochs is < 1)
            throw new ArgumentException($"--distill-epochs must be at least 1; received {DistillEpochs}.");
        if (Distillation is null)
            throw new ArgumentException("Distillation options are null; leave them out for T = 4, α = 0.7.");
        Distillation.Validate(); // its messages name temperature and alpha, as the CLI flags are named
        if (AdditionalTeachers is null || AdditionalTeachers.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("--teacher needs a model (run folder, package or NAME[:VERSION|ALIAS]); received an empty one.");
        if (AdditionalTeachers.Count > 0 && DistillInto is null)
            throw new ArgumentException($"--teacher ({string.Join(", ", AdditionalTeachers)}) adds teachers to a distillation, but no --distill-into SPEC was given; add the student to distil into.");
        if (DistillInto is { } spec && !File.Exists(spec))
            throw new ArgumentException($"--distill-into '{spec}' does not exist; give a student layer spec (.yaml/.json, see samples/configs) or a training config.");
        if (Register is { } registryName)
            Registry.ModelRegistry.CheckName(registryName);
        Benchmark.Validate();
        return this;
    }
}
