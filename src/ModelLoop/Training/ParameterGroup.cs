namespace ModelLoop.Training;

/// <summary>
/// Parameters, chosen by name, that train at their own share of the learning rate and with their own weight decay
/// (<see cref="CompileOptions.ParameterGroups"/>). Parameter names are the network's, e.g. "0.weight", "3.bias";
/// <c>model.Network.named_parameters()</c> lists them.
/// </summary>
/// <param name="Name">Names the group in errors and in <see cref="OptimizerGroup.Name"/>; not "default".</param>
/// <param name="Matches">True for the names of the parameters in this group. A parameter joins the first group that matches it.</param>
public sealed record ParameterGroup(string Name, Func<string, bool> Matches)
{
    /// <summary>
    /// This group's learning rate as a multiple of the optimizer's; the schedule and <c>ReduceLROnPlateau</c> scale it
    /// in proportion. Defaults to 1.
    /// </summary>
    public double LearningRateScale { get; init; } = 1;

    /// <summary>This group's weight decay (e.g. 0 for biases and norms). Defaults to null: the optimizer's.</summary>
    public double? WeightDecay { get; init; }
}
