namespace ModelLoop.Native;

/// <summary>Where tensors live and math runs.</summary>
public enum ComputeDevice
{
    /// <summary>CUDA when a TorchSharp CUDA package and a GPU are present, otherwise CPU. The default.</summary>
    Auto,
    /// <summary>The CPU, using <see cref="TorchRuntime.Threads"/> threads.</summary>
    Cpu,
    /// <summary>An NVIDIA GPU; fails with a clear message when none is usable.</summary>
    Cuda,
}
