using TorchSharp.Modules;

namespace ModelLoop.Training;

/// <summary>
/// One parameter group of the optimizer during <c>Fit</c>: its trainable parameters, the share of the scheduled
/// learning rate they get and their weight decay. Built from <see cref="CompileOptions.ParameterGroups"/>; the
/// parameters no <see cref="ParameterGroup"/> claims form the group named "default", with the optimizer's settings.
/// </summary>
public sealed class OptimizerGroup
{
    internal OptimizerGroup(string name, IReadOnlyList<(string Name, Parameter Parameter)> parameters, double learningRateScale, double weightDecay)
    {
        Name = name;
        Parameters = parameters;
        LearningRateScale = learningRateScale;
        WeightDecay = weightDecay;
    }

    /// <summary>The <see cref="ParameterGroup.Name"/>, or "default".</summary>
    public string Name { get; }
    public IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; }
    /// <summary>This group's rate is the scheduled rate times this.</summary>
    public double LearningRateScale { get; }
    public double WeightDecay { get; }
    /// <summary>The rate the optimizer uses for this group now: the scheduled rate × <see cref="LearningRateScale"/>.</summary>
    public double LearningRate { get; internal set; }
}
