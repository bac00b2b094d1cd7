namespace ModelLoop.Optimization.Quantization;

/// <summary>The int8 model lost more test accuracy than <see cref="QuantizationJobOptions.MaxAccuracyDrop"/> allows; nothing was written.</summary>
public sealed class QuantizationAccuracyException(string message) : Exception(message)
{
}
