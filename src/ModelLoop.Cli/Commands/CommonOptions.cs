using System.CommandLine;
using ModelLoop.Native;
using ModelLoop.Training;

namespace ModelLoop.Cli.Commands;

/// <summary>Options shared by commands that train: device, threads, precision, seed.</summary>
internal sealed class CommonOptions
{
    public Option<ComputeDevice> Device { get; } = new("--device") { Description = "cpu, cuda or auto (CUDA when present). Defaults to auto.", DefaultValueFactory = _ => ComputeDevice.Auto };
    public Option<int?> Threads { get; } = new("--threads") { Description = "CPU threads for libtorch. Defaults to the cores available." };
    public Option<Precision?> Precision { get; } = new("--precision") { Description = "Float32 or BFloat16 (mixed precision, fp32 master weights). Defaults to the command's choice: train uses Float32, demo BFloat16 where the CPU has it natively." };
    public Option<long?> Seed { get; } = new("--seed") { Description = "Seed for weights, shuffling and augmentation. Defaults to random." };

    public void AddTo(Command command)
    {
        command.Add(Device);
        command.Add(Threads);
        command.Add(Precision);
        command.Add(Seed);
    }

    /// <summary>Loads libtorch, sets threads and the seed; returns the device.</summary>
    public ComputeDevice Apply(ParseResult result)
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.Threads = result.GetValue(Threads) ?? Environment.ProcessorCount;
        if (result.GetValue(Seed) is { } seed)
            TorchSharp.torch.random.manual_seed(seed);
        return result.GetValue(Device);
    }
}
