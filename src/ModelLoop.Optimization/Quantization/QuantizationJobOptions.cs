using ModelLoop.Loop;

namespace ModelLoop.Optimization.Quantization;

/// <summary>Where a <see cref="QuantizationJob"/> reads and writes, and how it checks the result. Every field has a default.</summary>
public sealed record QuantizationJobOptions
{
    /// <summary>The registry folder for NAME[:VERSION|ALIAS] references. Defaults to null: <c>ModelLoopHome.Resolve</c> ($MODELLOOP_HOME, else ./.modelloop).</summary>
    public string? Home { get; init; }

    /// <summary>
    /// The folder the int8 package is written to. Defaults to null: beside a package or run folder as "PATH-int8", and
    /// for a registry model "NAME-vVERSION-int8" in the current folder.
    /// </summary>
    public string? Output { get; init; }

    /// <summary>Replace an existing package at <see cref="Output"/>. Defaults to false.</summary>
    public bool Overwrite { get; init; }

    /// <summary>The data whose training part calibrates and whose test part measures. Defaults to null: the data of the package's recorded training config.</summary>
    public DataConfig? Data { get; init; }

    /// <summary>Seed of the choice of calibration samples among the training rows. Defaults to 0.</summary>
    public int Seed { get; init; }

    /// <summary>ONNX Runtime intra-op threads for the test-set measurement; 0 lets ONNX Runtime choose. Defaults to 1 (the server's default).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>
    /// The largest test-accuracy loss (a fraction: 0.01 = 1 point) against the fp32 model on the same rows before the job
    /// refuses to write the package; null writes it whatever the loss. Classification only. Defaults to 0.01.
    /// </summary>
    public double? MaxAccuracyDrop { get; init; } = 0.01;

    /// <summary>Checks every field; the message names the field and what is allowed.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public void Validate()
    {
        if (Threads < 0)
            throw new ArgumentException($"QuantizationJobOptions.Threads is {Threads}; expected 0 (ONNX Runtime's choice) or a positive thread count (default 1).", nameof(Threads));
        if (MaxAccuracyDrop is { } drop && !(drop >= 0 && drop <= 1))
            throw new ArgumentException($"QuantizationJobOptions.MaxAccuracyDrop is {drop}; expected a fraction in [0, 1] (0.01 = one point, the default) or null for no check.", nameof(MaxAccuracyDrop));
        if (Output is { } output && string.IsNullOrWhiteSpace(output))
            throw new ArgumentException("QuantizationJobOptions.Output is blank; pass a folder path, or null for the default beside the model.", nameof(Output));
    }
}
