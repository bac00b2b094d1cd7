namespace ModelLoop.Optimization.Quantization;

/// <summary>What an int8 quantization does. Every field has a default, so <c>new QuantizationOptions()</c> is the usual choice.</summary>
public sealed record QuantizationOptions
{
    /// <summary>Dynamic or static activations. Defaults to <see cref="QuantizationMode.Auto"/>: static for a model with a convolution, else dynamic.</summary>
    public QuantizationMode Mode { get; init; } = QuantizationMode.Auto;

    /// <summary>One int8 scale per output channel (true) or one per weight tensor (false). Defaults to true.</summary>
    public bool PerChannel { get; init; } = true;

    /// <summary>Training samples the static mode runs through the fp32 model to fix activation ranges. Defaults to 512.</summary>
    public int CalibrationSamples { get; init; } = 512;

    /// <summary>Samples per calibration batch. Defaults to 64.</summary>
    public int CalibrationBatchSize { get; init; } = 64;

    /// <summary>How activation ranges are read from the calibration values. Defaults to <see cref="Quantization.CalibrationMethod.MinMax"/>.</summary>
    public CalibrationMethod CalibrationMethod { get; init; } = CalibrationMethod.MinMax;

    /// <summary>The upper percentile kept by <see cref="Quantization.CalibrationMethod.Percentile"/> (the lower is 100 − it). Defaults to 99.999.</summary>
    public double Percentile { get; init; } = 99.999;

    /// <summary>Checks every field; the message names the field, what it received and what is allowed.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Mode))
            throw new ArgumentException($"QuantizationOptions.Mode is {(int)Mode}, which is no mode. Use one of: {string.Join(", ", Enum.GetNames<QuantizationMode>())}.", nameof(Mode));
        if (!Enum.IsDefined(CalibrationMethod))
            throw new ArgumentException($"QuantizationOptions.CalibrationMethod is {(int)CalibrationMethod}, which is no method. Use one of: {string.Join(", ", Enum.GetNames<CalibrationMethod>())}.", nameof(CalibrationMethod));
        if (CalibrationSamples < 1)
            throw new ArgumentException($"QuantizationOptions.CalibrationSamples is {CalibrationSamples}; static quantization needs at least 1 sample to measure activation ranges (512 is the default). Pass a positive count, or Mode = Dynamic, which needs none.", nameof(CalibrationSamples));
        if (CalibrationBatchSize < 1)
            throw new ArgumentException($"QuantizationOptions.CalibrationBatchSize is {CalibrationBatchSize}; expected a positive number of samples per batch (default 64).", nameof(CalibrationBatchSize));
        if (!(Percentile > 50 && Percentile <= 100))
            throw new ArgumentException($"QuantizationOptions.Percentile is {Percentile}; expected a value in (50, 100], e.g. 99.999 (the default).", nameof(Percentile));
    }

    /// <summary>
    /// Parses a mode name as typed on a command line ("auto", "dynamic", "static"; case-insensitive).
    /// </summary>
    /// <exception cref="ArgumentException">Any other name; the message lists the accepted ones.</exception>
    public static QuantizationMode ParseMode(string name) =>
        Enum.TryParse<QuantizationMode>(name?.Trim(), ignoreCase: true, out var mode) && Enum.IsDefined(mode) && !int.TryParse(name, out _)
            ? mode
            : throw new ArgumentException($"Unknown quantization mode '{name}'. Expected one of: auto, dynamic, static.", nameof(name));
}
