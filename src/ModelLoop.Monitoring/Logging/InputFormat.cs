namespace ModelLoop.Monitoring.Logging;

/// <summary>How a logged request sent its items, which decides how <see cref="FeedbackExporter"/> writes them.</summary>
public enum InputFormat
{
    /// <summary>JSON records of named columns (kept as JSON): exported as CSV rows.</summary>
    Record,
    /// <summary>Arrays of numbers in the model's input shape (kept as float32 values): exported as CSV rows x0, x1, ….</summary>
    Tensor,
    /// <summary>Images (kept as their [0, 1] pixel values, channels × height × width): exported as PNG files.</summary>
    Image,
}
