namespace ModelLoop.Monitoring.Logging;

/// <summary>How much the log holds in a range: requests, items, and items with feedback (of which labelled: true answer known).</summary>
public sealed record PredictionCounts(long Requests, long Items, long WithFeedback, long Labelled);
