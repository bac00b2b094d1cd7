namespace ModelLoop.Loop;

/// <summary>
/// One entry of <see cref="TrainingConfig.ParameterGroups"/>: parameters whose name starts with <see cref="Match"/>
/// train at <see cref="LearningRateScale"/> × the learning rate, e.g. <c>{ match: "dense_2.", learningRateScale: 10 }</c>
/// for a new head. It becomes a <see cref="Training.ParameterGroup"/>.
/// </summary>
public sealed record ParameterGroupConfig
{
    /// <summary>A parameter name prefix, e.g. "dense_2." (names as <c>model.Summary()</c> shows them). Required.</summary>
    public string Match { get; init; } = "";
    /// <summary>Multiple of the optimizer's learning rate. Defaults to 1.</summary>
    public double LearningRateScale { get; init; } = 1;
    /// <summary>Weight decay of the group. Defaults to null: the optimizer's.</summary>
    public double? WeightDecay { get; init; }
}
