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
    public static Model Build(TrainingConfig config, Shape sampleShape, int outputs)
    {
        Native.TorchRuntime.EnsureLoaded();
        var model = ConfigBuilders.Model(config.Model, sampleShape, outputs);
        try
        {
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
}
