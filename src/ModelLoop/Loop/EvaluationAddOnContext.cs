using ModelLoop.Native;

namespace ModelLoop.Loop;

/// <summary>What an <see cref="IEvaluationAddOn"/> gets from <see cref="EvaluationJob"/>: the model, the data as evaluated, and where the report goes.</summary>
public sealed record EvaluationAddOnContext
{
    /// <summary>The evaluated model, with its package and config.</summary>
    public required ResolvedModel Model { get; init; }
    /// <summary>The data config the evaluation loaded (the model's own, with the request's overrides).</summary>
    public required DataConfig Data { get; init; }
    /// <summary>The evaluation's data, through the model's pipeline (owned by the job: do not dispose).</summary>
    public required LoadedData Loaded { get; init; }
    /// <summary>The report folder (an add-on may keep its own files there).</summary>
    public required string OutputDirectory { get; init; }
    /// <summary>The request's seed. Defaults to 0.</summary>
    public long Seed { get; init; }
    /// <summary>Defaults to <see cref="ComputeDevice.Auto"/>.</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Auto;
    /// <summary>Receives one-line progress notes. Defaults to null (silent).</summary>
    public Action<string>? Log { get; init; }
}
