namespace ModelLoop.Monitoring.Logging;

/// <summary>What <see cref="PredictionLog.RecordFeedback"/> did.</summary>
public enum FeedbackWrite
{
    /// <summary>The item had no feedback; this one is stored.</summary>
    Created,
    /// <summary>The same feedback was stored already (a retry); nothing changed.</summary>
    Unchanged,
    /// <summary>Different feedback was stored; this one replaced it (last write wins).</summary>
    Replaced,
    /// <summary>No such logged item (the prediction was pruned by retention meanwhile).</summary>
    NotFound,
}
