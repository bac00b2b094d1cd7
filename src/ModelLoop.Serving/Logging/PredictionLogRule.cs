using ModelLoop.Monitoring.Logging;

namespace ModelLoop.Serving.Logging;

/// <summary>What the prediction log keeps for a model or a tenant; a null setting leaves it to the next rule (<see cref="PredictionLogOptions.RuleFor"/>).</summary>
public sealed record PredictionLogRule
{
    public InputStorage? Inputs { get; set; }
    public double? SampleRate { get; set; }
    public bool? Features { get; set; }
}
