using ModelLoop.Artifacts;

namespace ModelLoop.Monitoring.Logging;

/// <summary>One logged item: the outputs, what was kept of the input, the monitored features and its feedback (null when none).</summary>
public sealed record LoggedItem(int Index, float[] Outputs, string? InputJson, float[]? InputValues, string? InputSha256,
    MonitoredItem? Monitored, ItemFeedback? Feedback);
