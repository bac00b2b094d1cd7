namespace ModelLoop.Native;

/// <summary>libtorch cannot be loaded or a requested device is missing. The message says what to do.</summary>
public sealed class TorchRuntimeException : Exception
{
    public TorchRuntimeException(string message) : base(message) { }
    public TorchRuntimeException(string message, Exception inner) : base(message, inner) { }
}
