using ModelLoop.Loop;
using ModelLoop.Modeling;
using ModelLoop.Training;

namespace ModelLoop.Federated.Local;

/// <summary>
/// The one place a federated job's network is built and compiled from its <see cref="TrainingConfig"/>, as
/// <see cref="TrainingJob"/> builds and compiles it: the coordinator's driver, every data owner and the final package
/// all ask here, so their weight vectors line up.
/// </summary>
internal static class JobModel
{
    /// <summary>The config's network for samples of <paramref name="sampleShape"/> and <paramref name="outputs"/> outputs, compiled.</summary>
    /// <exception cref="ArgumentException">The network has BatchNorm (see <see cref="RefuseBatchNorm"/>).</exception>
    public static Model Build(TrainingConfig config, Shape sampleShape, int outputs)
    {
        Native.TorchRuntime.EnsureLoaded();
        var model = ConfigBuilders.Model(config.Model, sampleShape, outputs);
        try
        {
            RefuseBatchNorm(model, config);
            model.Compile(ConfigBuilders.Optimizer(config.Optimizer), ConfigBuilders.Loss(config), ConfigBuilders.Metrics(config), new CompileOptions
            {
                ClipGradientNorm = config.ClipGradientNorm,
                L1 = config.L1,
                L2 = config.L2,
            });
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Refuses BatchNorm. Its running mean and variance are buffers, not parameters: they are not in the weight vector
    /// that travels (<see cref="ModelVector"/>), so the global model would keep its initial statistics (mean 0, variance
    /// 1) while every owner's layers learn to expect its own — the global model would be evaluated and shipped with
    /// statistics no owner trained with. Averaging them instead would put them under FedAvgM's momentum and client-level
    /// DP's noise (a noisy variance can go negative), and on non-IID owners their average is not the statistics of the
    /// union. GroupNorm and LayerNorm normalise within each sample and have no such buffers.
    /// </summary>
    private static void RefuseBatchNorm(Model model, TrainingConfig config)
    {
        var found = model.Network.named_modules().FirstOrDefault(m => m.module.GetType().Name.StartsWith("BatchNorm", StringComparison.Ordinal));
        if (found.module is null)
            return;
        var what = config.Model.Zoo is { } zoo ? $"zoo model '{zoo}'" : "the model spec";
        throw new ArgumentException(
            $"Federated jobs cannot train BatchNorm: {what} has layer '{found.name}' ({found.module.GetType().Name}), whose running mean and variance are per-owner " +
            "buffers that FedAvg does not average, so the global model would keep statistics no owner trained with. " +
            "What to do: replace BatchNorm with GroupNorm (\"type\": \"GroupNorm\" in the spec, e.g. 8 groups) or LayerNorm, or use a zoo model without it (mlp, keras-cnn).",
            nameof(config));
    }
}
